#include "control/sessionwatch.h"

#include "agentlogging.h"
#include "auth/sessionvault.h"

namespace earshot {

SessionWatch::SessionWatch(SessionVault &vault, ServerAddress server, std::shared_ptr<SharedSession> session,
                           QObject *parent)
    : QObject(parent)
    , m_vault(vault)
    , m_server(std::move(server))
    , m_session(std::move(session))
{
    m_timer.setInterval(kInterval);
    connect(&m_timer, &QTimer::timeout, this, &SessionWatch::checkNow);
}

void SessionWatch::watch()
{
    m_refusedRefreshToken = m_session->current().refreshToken;
    if (!m_timer.isActive())
        qCInfo(lcAuth) << "waiting for a new sign-in in the keychain";
    m_timer.start();
}

bool SessionWatch::checkNow()
{
    if (!m_timer.isActive() || m_checking)
        return false;
    m_checking = true;
    const auto saved = m_vault.load(m_server);
    m_checking = false;
    if (!saved) {
        qCInfo(lcAuth).noquote() << "cannot read the keychain yet:" << saved.error();
        return false;
    }
    if (!saved->has_value() || (*saved)->refreshToken == m_refusedRefreshToken)
        return false;
    m_timer.stop();
    qCInfo(lcAuth) << "a new sign-in is in the keychain; continuing";
    m_session->replace(**saved);
    Q_EMIT sessionReturned();
    return true;
}

} // namespace earshot
