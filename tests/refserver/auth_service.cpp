#include "auth_service.h"

#include "crypto_util.h"
#include "database.h"
#include "logging.h"
#include "password_hash.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtSql/QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

constexpr qint64 RefreshLifetimeMs = 30LL * 86'400'000;

QByteArray tokenHash(QByteArrayView token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

QString newToken()
{
    return QString::fromLatin1(
        randomBytes(32).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

AuthService::AuthService(Database &db, int accessLifetimeSeconds)
    : m_db(db), m_accessLifetimeSeconds(accessLifetimeSeconds)
{
}

bool AuthService::load()
{
    QSqlQuery query = m_db.prepare(u"SELECT seq, id, name, email, role, agent_seq FROM users"_s);
    if (!query.exec())
        return logQueryError(query, "load users");
    while (query.next()) {
        AuthUser user;
        user.seq = query.value(0).toLongLong();
        user.id = query.value(1).toString();
        user.name = query.value(2).toString();
        user.email = query.value(3).toString();
        user.role = query.value(4).toString();
        user.agentSeq = query.value(5).toLongLong();
        m_users.insert(user.seq, user);
    }
    // Long-dead tokens are of no use; recently expired ones still answer "token_expired".
    QSqlQuery purge = m_db.prepare(u"DELETE FROM tokens WHERE expires_at < ?"_s);
    purge.addBindValue(QDateTime::currentMSecsSinceEpoch() - 86'400'000);
    return purge.exec() || logQueryError(purge, "purge tokens");
}

std::optional<IssuedTokens> AuthService::login(const QString &email, const QString &password)
{
    QSqlQuery query = m_db.prepare(
        u"SELECT seq, password_salt, password_hash FROM users WHERE email = ?"_s);
    query.addBindValue(email.trimmed());
    if (!query.exec() || !query.next())
        return std::nullopt;
    const qint64 seq = query.value(0).toLongLong();
    if (!verifyPassword(password, query.value(1).toByteArray(), query.value(2).toByteArray()))
        return std::nullopt;
    return issue(m_users.value(seq));
}

std::optional<IssuedTokens> AuthService::refresh(const QString &refreshToken)
{
    const QByteArray hash = tokenHash(refreshToken.toUtf8());
    const auto record = lookup(hash, "refresh"_L1);
    if (!record || record->expiresAtMs <= QDateTime::currentMSecsSinceEpoch()
        || !m_users.contains(record->userSeq))
        return std::nullopt;
    QSqlQuery revoke = m_db.prepare(u"DELETE FROM tokens WHERE token_hash = ?"_s);
    revoke.addBindValue(hash);
    if (!revoke.exec()) {
        logQueryError(revoke, "revoke refresh token");
        return std::nullopt;
    }
    return issue(m_users.value(record->userSeq));
}

TokenCheck AuthService::authenticate(QByteArrayView authorizationHeader, AuthUser *user)
{
    const QByteArrayView header = authorizationHeader.trimmed();
    if (header.isEmpty())
        return TokenCheck::Missing;
    if (header.size() < 8 || qstrnicmp(header.data(), "bearer ", 7) != 0)
        return TokenCheck::Invalid;
    const QByteArray hash = tokenHash(header.sliced(7).trimmed());

    std::optional<TokenRecord> record;
    if (const auto cached = m_accessCache.constFind(hash); cached != m_accessCache.cend()) {
        record = *cached;
    } else {
        record = lookup(hash, "access"_L1);
        if (record)
            m_accessCache.insert(hash, *record);
    }
    if (!record || !m_users.contains(record->userSeq))
        return TokenCheck::Invalid;
    if (record->expiresAtMs <= QDateTime::currentMSecsSinceEpoch())
        return TokenCheck::Expired;
    *user = m_users.value(record->userSeq);
    return TokenCheck::Ok;
}

void AuthService::expireAllAccessTokens()
{
    QSqlQuery expire = m_db.prepare(
        u"UPDATE tokens SET expires_at = MIN(expires_at, ?) WHERE kind = 'access'"_s);
    expire.addBindValue(QDateTime::currentMSecsSinceEpoch() - 1);
    if (!expire.exec())
        logQueryError(expire, "expire access tokens");
    m_accessCache.clear();
}

void AuthService::expireAllRefreshTokens()
{
    QSqlQuery expire = m_db.prepare(u"UPDATE tokens SET expires_at = MIN(expires_at, ?) WHERE kind = 'refresh'"_s);
    expire.addBindValue(QDateTime::currentMSecsSinceEpoch() - 1);
    if (!expire.exec())
        logQueryError(expire, "expire refresh tokens");
}

QJsonObject AuthService::userJson(const AuthUser &user)
{
    return {{u"id"_s, user.id}, {u"name"_s, user.name}, {u"email"_s, user.email}, {u"role"_s, user.role}};
}

QJsonObject AuthService::tokensJson(const IssuedTokens &tokens)
{
    return {{u"access_token"_s, tokens.accessToken},
            {u"refresh_token"_s, tokens.refreshToken},
            {u"expires_in"_s, tokens.expiresIn},
            {u"user"_s, userJson(tokens.user)}};
}

std::optional<IssuedTokens> AuthService::issue(const AuthUser &user)
{
    IssuedTokens tokens{newToken(), newToken(), m_accessLifetimeSeconds, user};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery insert = m_db.prepare(
        u"INSERT INTO tokens(token_hash, kind, user_seq, expires_at) VALUES(?, ?, ?, ?), (?, ?, ?, ?)"_s);
    insert.addBindValue(tokenHash(tokens.accessToken.toUtf8()));
    insert.addBindValue(u"access"_s);
    insert.addBindValue(user.seq);
    insert.addBindValue(now + m_accessLifetimeSeconds * qint64(1000));
    insert.addBindValue(tokenHash(tokens.refreshToken.toUtf8()));
    insert.addBindValue(u"refresh"_s);
    insert.addBindValue(user.seq);
    insert.addBindValue(now + RefreshLifetimeMs);
    if (!insert.exec()) {
        logQueryError(insert, "store tokens");
        return std::nullopt;
    }
    return tokens;
}

std::optional<AuthService::TokenRecord> AuthService::lookup(const QByteArray &hash, QLatin1StringView kind)
{
    QSqlQuery query = m_db.prepare(
        u"SELECT user_seq, expires_at FROM tokens WHERE token_hash = ? AND kind = ?"_s);
    query.addBindValue(hash);
    query.addBindValue(QString(kind));
    if (!query.exec() || !query.next())
        return std::nullopt;
    return TokenRecord{query.value(0).toLongLong(), query.value(1).toLongLong()};
}

} // namespace earshot::refserver
