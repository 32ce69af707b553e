#include "transfer/stallwatch.h"

using namespace std::chrono;

namespace earshot {

bool StallWatch::isStalled(qint64 received, bool heldBack, Clock::time_point now)
{
    if (!m_started || heldBack || m_heldBack) {
        startWindow(received, now);
        return false;
    }
    const auto elapsed = duration_cast<milliseconds>(now - m_windowStart);
    if (elapsed < m_window)
        return false;
    const qint64 floor = m_slowestBytesPerSecond * elapsed.count() / 1000;
    if (received - m_receivedAtStart < floor)
        return true;
    startWindow(received, now);
    return false;
}

void StallWatch::startWindow(qint64 received, Clock::time_point now)
{
    m_started = true;
    m_heldBack = false;
    m_windowStart = now;
    m_receivedAtStart = received;
}

} // namespace earshot
