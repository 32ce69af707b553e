#pragma once

#include "api/apitypes.h"
#include "expected.h"

#include <functional>
#include <mutex>
#include <optional>

namespace earshot {

// The one session of an agent, shared by the ServerApi of each thread (metadata worker,
// server events, the transfer engine's links). The server rotates refresh tokens (each
// works once), so two clients refreshing on their own would sign each other out: refreshes
// are serialized here, and a client whose access token was already replaced by another
// thread's refresh just picks up the new one.
class SharedSession
{
public:
    // Persists a session the server rotated. Runs on the thread that refreshed.
    using Saver = std::function<Status(const Session &)>;

    SharedSession(Session session, Saver saveRotated);

    Session current() const;
    // The tokens a new sign-in put in the keychain; the next request uses them.
    void replace(Session session);

    // Runs `refresh` (given the session to refresh) under the refresh lock, unless the
    // access token is no longer `staleAccessToken` because another thread refreshed it
    // meanwhile; returns the session to use from now on, or refresh's error.
    template <typename Refresh>
    auto refreshUnlessDone(const QString &staleAccessToken, Refresh refresh) -> decltype(refresh(Session()))
    {
        const std::lock_guard refreshing(m_refreshMutex);
        const Session now = current();
        if (now.accessToken != staleAccessToken)
            return now;
        auto refreshed = refresh(now);
        if (refreshed)
            store(*refreshed);
        return refreshed;
    }

private:
    void store(const Session &rotated);

    mutable std::mutex m_mutex;
    std::mutex m_refreshMutex;
    Session m_session;
    Saver m_saveRotated;
};

} // namespace earshot
