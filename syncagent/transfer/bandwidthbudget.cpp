#include "transfer/bandwidthbudget.h"

#include <algorithm>
#include <cmath>

namespace earshot {

namespace {
// 20 ms worth may arrive at once, and at least one chunk: small bursts keep the cache
// file's queue short, and with it what a kill would lose.
constexpr double kBurstSeconds = 0.02;
constexpr double kMinimumBurst = 64 * 1024;
} // namespace

void BandwidthBudget::setLimit(qint64 bytesPerSecond)
{
    m_limit = std::max<qint64>(0, bytesPerSecond);
    m_tokens = 0;
    m_clock.start();
}

void BandwidthBudget::refill()
{
    const double capacity = std::max(kMinimumBurst, static_cast<double>(m_limit) * kBurstSeconds);
    const qint64 elapsedNs = m_clock.nsecsElapsed();
    m_clock.start();
    m_tokens = std::min(capacity, m_tokens + static_cast<double>(m_limit) * static_cast<double>(elapsedNs) / 1e9);
}

bool BandwidthBudget::mayTake()
{
    if (!isLimited())
        return true;
    refill();
    return m_tokens > 0;
}

void BandwidthBudget::take(qint64 bytes)
{
    if (isLimited())
        m_tokens -= static_cast<double>(bytes);
}

std::chrono::milliseconds BandwidthBudget::untilAvailable() const
{
    if (!isLimited() || m_tokens > 0)
        return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<qint64>(std::ceil(-m_tokens * 1000.0 / static_cast<double>(m_limit))) + 1);
}

} // namespace earshot
