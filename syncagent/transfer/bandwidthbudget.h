#pragma once

#include <QElapsedTimer>

#include <chrono>

namespace earshot {

// The bandwidth limit, as one token bucket that every transfer draws from. libcurl's own
// limit (CURLOPT_MAX_RECV_SPEED_LARGE) averages per transfer from its start and lets the
// first buffer through, so many short transfers overshot it by 20 to 40% here; one shared
// budget holds the total whatever the number of transfers. Transfer thread only.
class BandwidthBudget
{
public:
    // Bytes per second for all transfers together; 0 for no limit.
    void setLimit(qint64 bytesPerSecond);
    bool isLimited() const { return m_limit > 0; }

    // False while the budget is spent: the transfer waits (paused) until it refills.
    bool mayTake();
    // Takes what arrived; the budget may go into debt by one delivery.
    void take(qint64 bytes);
    // How long until mayTake() turns true.
    std::chrono::milliseconds untilAvailable() const;

private:
    void refill();

    qint64 m_limit = 0;
    double m_tokens = 0;
    QElapsedTimer m_clock;
};

} // namespace earshot
