#pragma once

#include <QDeadlineTimer>
#include <QUrl>

#include <chrono>

namespace earshot {

// A signed recording URL and when it stops working, measured on this computer's
// monotonic clock from when it arrived plus expires_in: wall clocks drift and jump, and
// the server's expires_at is in the server's time.
class SignedLink
{
public:
    SignedLink() = default;
    SignedLink(QUrl url, std::chrono::seconds lifetime);

    bool isSet() const { return m_url.isValid(); }
    const QUrl &url() const { return m_url; }

    // True when it is about to expire: within 30 s, or within the last fifth of a
    // lifetime shorter than that. A request started now should take a fresh one.
    bool needsRefresh() const;

private:
    QUrl m_url;
    std::chrono::seconds m_lifetime{0};
    QDeadlineTimer m_expiry;
};

} // namespace earshot
