#pragma once

#include "api/serveraddress.h"
#include "api/sharedsession.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>

namespace earshot {

class SessionVault;

// After the server refused the session and its refresh, the agent waits for the user to
// sign in again (`earshot-sync login`, which writes a new session into the keychain):
// this looks into the keychain every few seconds and, once a session other than the
// refused one is there, hands it to the agent's clients and says so.
class SessionWatch : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::seconds kInterval{2};

    SessionWatch(SessionVault &vault, ServerAddress server, std::shared_ptr<SharedSession> session,
                 QObject *parent = nullptr);

    // Starts watching, taking the session in use now as the refused one.
    void watch();
    bool isWatching() const { return m_timer.isActive(); }
    // Looks now (the `resume` command); true when a new session was found.
    bool checkNow();

Q_SIGNALS:
    void sessionReturned();

private:
    SessionVault &m_vault;
    ServerAddress m_server;
    std::shared_ptr<SharedSession> m_session;
    QString m_refusedRefreshToken;
    QTimer m_timer;
    bool m_checking = false; // the keychain answers through a local event loop
};

} // namespace earshot
