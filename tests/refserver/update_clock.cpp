#include "update_clock.h"

#include <QtCore/QDateTime>

#include <algorithm>

namespace earshot::refserver {

void UpdateClock::observe(qint64 stampMs)
{
    m_lastMs = std::max(m_lastMs, stampMs);
}

qint64 UpdateClock::next()
{
    m_lastMs = std::max(QDateTime::currentMSecsSinceEpoch(), m_lastMs + 1);
    return m_lastMs;
}

} // namespace earshot::refserver
