#include "auth/sessionvault.h"

#include "agentlogging.h"
#include "api/apijson.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// Stored in the shape of the server's sign-in answer, so that common's parser reads it.
QByteArray serialize(const Session &session)
{
    const QJsonObject user{{u"id"_s, session.user.id},
                           {u"name"_s, session.user.name},
                           {u"email"_s, session.user.email},
                           {u"role"_s, session.user.role}};
    const QJsonObject root{{u"access_token"_s, session.accessToken},
                           {u"refresh_token"_s, session.refreshToken},
                           {u"expires_in"_s, session.expiresInSeconds},
                           {u"user"_s, user}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace

QString SessionVault::keyFor(const ServerAddress &server)
{
    return u"session:"_s + server.origin();
}

Expected<std::optional<Session>> SessionVault::load(const ServerAddress &server)
{
    using Result = Expected<std::optional<Session>>;
    auto secret = m_secrets.read(keyFor(server));
    if (!secret)
        return Result::failure(secret.error());
    if (!secret->has_value())
        return std::optional<Session>();
    auto session = apijson::parseSession(**secret);
    if (!session) {
        // Not fatal for the user: signing in again overwrites the entry.
        qCWarning(lcAuth).noquote() << "the saved session for" << server.origin() << "is unreadable:" << session.error();
        return std::optional<Session>();
    }
    return std::optional<Session>(std::move(session).value());
}

Status SessionVault::save(const ServerAddress &server, const Session &session)
{
    return m_secrets.write(keyFor(server), serialize(session));
}

Status SessionVault::forget(const ServerAddress &server)
{
    return m_secrets.remove(keyFor(server));
}

} // namespace earshot
