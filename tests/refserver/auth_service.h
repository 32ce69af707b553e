// Users, passwords and bearer tokens. Tokens are random, stored only as SHA-256 hashes,
// and survive restarts (they live in the database). Refresh rotates: a refresh token works
// once.
#pragma once

#include "api_request.h"

#include <QtCore/QHash>
#include <QtCore/QJsonObject>

#include <optional>

namespace earshot::refserver {

class Database;

struct IssuedTokens
{
    QString accessToken;
    QString refreshToken;
    int expiresIn = 0;
    AuthUser user;
};

enum class TokenCheck { Ok, Missing, Invalid, Expired };

class AuthService
{
public:
    AuthService(Database &db, int accessLifetimeSeconds);

    bool load(); // reads the users; call once the organization is seeded

    std::optional<IssuedTokens> login(const QString &email, const QString &password);
    std::optional<IssuedTokens> refresh(const QString &refreshToken);

    // Checks "Authorization: Bearer TOKEN"; fills *user when Ok.
    TokenCheck authenticate(QByteArrayView authorizationHeader, AuthUser *user);

    // Test aid (/__admin/tokens/expire): every access token issued so far stops working.
    void expireAllAccessTokens();
    // Test aid (/__admin/tokens/expire {"refresh": true}): every refresh token issued so far too.
    void expireAllRefreshTokens();

    static QJsonObject userJson(const AuthUser &user);
    static QJsonObject tokensJson(const IssuedTokens &tokens);

private:
    struct TokenRecord
    {
        qint64 userSeq = 0;
        qint64 expiresAtMs = 0;
    };

    std::optional<IssuedTokens> issue(const AuthUser &user);
    std::optional<TokenRecord> lookup(const QByteArray &tokenHash, QLatin1StringView kind);

    Database &m_db;
    int m_accessLifetimeSeconds;
    QHash<qint64, AuthUser> m_users;
    QHash<QByteArray, TokenRecord> m_accessCache; // token hash -> record
};

} // namespace earshot::refserver
