#include "transfer/signedlink.h"

namespace earshot {

namespace {
constexpr std::chrono::milliseconds kRefreshMargin{30'000};
}

SignedLink::SignedLink(QUrl url, std::chrono::seconds lifetime)
    : m_url(std::move(url))
    , m_lifetime(lifetime)
    , m_expiry(lifetime, Qt::PreciseTimer)
{
}

bool SignedLink::needsRefresh() const
{
    if (!isSet())
        return true;
    const std::chrono::milliseconds margin =
        std::min<std::chrono::milliseconds>(kRefreshMargin, std::chrono::duration_cast<std::chrono::milliseconds>(m_lifetime) / 5);
    return m_expiry.remainingTimeAsDuration() <= margin;
}

} // namespace earshot
