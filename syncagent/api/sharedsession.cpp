#include "api/sharedsession.h"

#include "agentlogging.h"

namespace earshot {

SharedSession::SharedSession(Session session, Saver saveRotated)
    : m_session(std::move(session))
    , m_saveRotated(std::move(saveRotated))
{
}

Session SharedSession::current() const
{
    const std::lock_guard lock(m_mutex);
    return m_session;
}

void SharedSession::replace(Session session)
{
    const std::lock_guard lock(m_mutex);
    m_session = std::move(session);
}

void SharedSession::store(const Session &rotated)
{
    {
        const std::lock_guard lock(m_mutex);
        m_session = rotated;
    }
    if (!m_saveRotated)
        return;
    // Not fatal: the new tokens work for this run; the next start would have to sign in.
    if (Status saved = m_saveRotated(rotated); !saved)
        qCWarning(lcAuth).noquote() << "the refreshed session works for this run but could not be saved:" << saved.error();
}

} // namespace earshot
