// Login, refresh, /api/me, 401s, the error shape, and state across restarts.
#include "refserver_suites.h"
#include "test_helpers.h"

#include <QtTest/QTest>

using namespace Qt::StringLiterals;

namespace earshot::refserver::tests {

namespace {

class AuthTests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RefServer>(QStringList{u"--calls"_s, u"50"_s});
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }

    void cleanupTestCase() { m_server.reset(); }

    void loginReturnsTokensAndUser_data()
    {
        QTest::addColumn<QString>("email");
        QTest::addColumn<QString>("role");
        QTest::newRow("supervisor") << u"supervisor@demo.test"_s << u"supervisor"_s;
        QTest::newRow("compliance") << u"compliance@demo.test"_s << u"compliance"_s;
        QTest::newRow("admin") << u"admin@demo.test"_s << u"admin"_s;
        QTest::newRow("agent") << u"agent@demo.test"_s << u"agent"_s;
    }

    void loginReturnsTokensAndUser()
    {
        QFETCH(QString, email);
        QFETCH(QString, role);
        const HttpResult result = m_server->request(
            "POST", m_server->url(u"/api/auth/login"_s), {},
            QJsonDocument(QJsonObject{{u"email"_s, email}, {u"password"_s, u"demo"_s}}).toJson());
        QCOMPARE(result.status, 200);
        QVERIFY(result.header("content-type").startsWith("application/json"));
        const QJsonObject body = result.object();
        QVERIFY(!body.value("access_token"_L1).toString().isEmpty());
        QVERIFY(!body.value("refresh_token"_L1).toString().isEmpty());
        QCOMPARE(body.value("expires_in"_L1).toInt(), 3600);
        const QJsonObject user = body.value("user"_L1).toObject();
        QCOMPARE(user.value("email"_L1).toString(), email);
        QCOMPARE(user.value("role"_L1).toString(), role);
        QVERIFY(!user.value("id"_L1).toString().isEmpty());
        QVERIFY(!user.value("name"_L1).toString().isEmpty());
    }

    void badCredentialsAre401WithErrorShape_data()
    {
        QTest::addColumn<QString>("email");
        QTest::addColumn<QString>("password");
        QTest::newRow("wrong password") << u"supervisor@demo.test"_s << u"nope"_s;
        QTest::newRow("unknown user") << u"nobody@demo.test"_s << u"demo"_s;
        QTest::newRow("empty password") << u"agent@demo.test"_s << QString();
    }

    void badCredentialsAre401WithErrorShape()
    {
        QFETCH(QString, email);
        QFETCH(QString, password);
        const HttpResult result = m_server->request(
            "POST", m_server->url(u"/api/auth/login"_s), {},
            QJsonDocument(QJsonObject{{u"email"_s, email}, {u"password"_s, password}}).toJson());
        QCOMPARE(result.status, 401);
        const QJsonObject error = result.object().value("error"_L1).toObject();
        QCOMPARE(error.value("code"_L1).toString(), u"invalid_credentials"_s);
        QVERIFY(!error.value("message"_L1).toString().isEmpty());
        QCOMPARE(result.object().keys(), QStringList{u"error"_s});
    }

    void malformedLoginIs400()
    {
        const HttpResult notJson = m_server->request("POST", m_server->url(u"/api/auth/login"_s), {}, "{nope");
        QCOMPARE(notJson.status, 400);
        QCOMPARE(notJson.errorCode(), u"invalid_json"_s);
        const HttpResult missingFields =
            m_server->request("POST", m_server->url(u"/api/auth/login"_s), {}, R"({"email":"a@b.c"})");
        QCOMPARE(missingFields.status, 400);
        QCOMPARE(missingFields.errorCode(), u"invalid_request"_s);
    }

    void meReturnsTheUser()
    {
        const Tokens tokens = m_server->login(u"compliance@demo.test"_s);
        QVERIFY(tokens.isValid());
        const HttpResult me = m_server->api("GET", u"/api/me"_s, tokens.accessToken);
        QCOMPARE(me.status, 200);
        QCOMPARE(me.object(), tokens.user);
        QCOMPARE(me.object().value("role"_L1).toString(), u"compliance"_s);
    }

    void refreshRotatesTokens()
    {
        const Tokens first = m_server->login(u"supervisor@demo.test"_s);
        QVERIFY(first.isValid());
        const auto refresh = [this](const QString &refreshToken) {
            return m_server->request("POST", m_server->url(u"/api/auth/refresh"_s), {},
                                     QJsonDocument(QJsonObject{{u"refresh_token"_s, refreshToken}}).toJson());
        };
        const HttpResult rotated = refresh(first.refreshToken);
        QCOMPARE(rotated.status, 200);
        const QJsonObject body = rotated.object();
        const QString access = body.value("access_token"_L1).toString();
        const QString refreshToken = body.value("refresh_token"_L1).toString();
        QVERIFY(!access.isEmpty() && access != first.accessToken);
        QVERIFY(!refreshToken.isEmpty() && refreshToken != first.refreshToken);
        QCOMPARE(body.value("user"_L1).toObject(), first.user);
        QCOMPARE(m_server->api("GET", u"/api/me"_s, access).status, 200);

        const HttpResult reused = refresh(first.refreshToken);
        QCOMPARE(reused.status, 401);
        QCOMPARE(reused.errorCode(), u"invalid_refresh_token"_s);
        QCOMPARE(refresh(refreshToken).status, 200);
        QCOMPARE(refresh(u"garbage"_s).status, 401);
    }

    void missingOrBadTokenIs401_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<QString>("code");
        QTest::newRow("none") << QByteArray() << u"missing_token"_s;
        QTest::newRow("garbage") << "Bearer not-a-token"_ba << u"invalid_token"_s;
        QTest::newRow("basic") << "Basic c3VwZXJ2aXNvcjpkZW1v"_ba << u"invalid_token"_s;
    }

    void missingOrBadTokenIs401()
    {
        QFETCH(QByteArray, authorization);
        QFETCH(QString, code);
        HttpHeaders headers;
        if (!authorization.isEmpty())
            headers.append({"Authorization"_ba, authorization});
        for (const QString &path : {u"/api/me"_s, u"/api/calls"_s, u"/api/audit/policy"_s}) {
            const HttpResult result = m_server->request("GET", m_server->url(path), headers);
            QCOMPARE(result.status, 401);
            QCOMPARE(result.errorCode(), code);
            QVERIFY(result.header("www-authenticate").startsWith("Bearer"));
        }
    }

    void expiredTokenIs401()
    {
        RefServer shortLived({u"--token-lifetime"_s, u"1"_s});
        QVERIFY2(shortLived.start(), qPrintable(shortLived.errorString()));
        const Tokens tokens = shortLived.login(u"agent@demo.test"_s);
        QVERIFY(tokens.isValid());
        QCOMPARE(tokens.expiresIn, 1);
        QCOMPARE(shortLived.api("GET", u"/api/me"_s, tokens.accessToken).status, 200);
        QTest::qWait(1500);
        const HttpResult expired = shortLived.api("GET", u"/api/me"_s, tokens.accessToken);
        QCOMPARE(expired.status, 401);
        QCOMPARE(expired.errorCode(), u"token_expired"_s);
        // The refresh token outlives the access token.
        const HttpResult refreshed =
            shortLived.request("POST", shortLived.url(u"/api/auth/refresh"_s), {},
                               QJsonDocument(QJsonObject{{u"refresh_token"_s, tokens.refreshToken}}).toJson());
        QCOMPARE(refreshed.status, 200);
    }

    void adminCanExpireAllAccessTokens()
    {
        const Tokens tokens = m_server->login(u"admin@demo.test"_s);
        QCOMPARE(m_server->api("GET", u"/api/me"_s, tokens.accessToken).status, 200);
        QVERIFY(!m_server->adminPost(u"/__admin/tokens/expire"_s).isNull());
        QCOMPARE(m_server->api("GET", u"/api/me"_s, tokens.accessToken).errorCode(), u"token_expired"_s);
        QVERIFY(m_server->login(u"admin@demo.test"_s).isValid());
    }

    void unknownRouteIs404WithErrorShape()
    {
        const Tokens tokens = m_server->login(u"supervisor@demo.test"_s);
        for (const QString &path : {u"/api/nope"_s, u"/"_s, u"/api/calls/x/y/z"_s}) {
            const HttpResult result = m_server->api("GET", path, tokens.accessToken);
            QCOMPARE(result.status, 404);
            QCOMPARE(result.errorCode(), u"not_found"_s);
        }
    }

    void stateSurvivesRestart()
    {
        const Tokens tokens = m_server->login(u"supervisor@demo.test"_s);
        const HttpResult before = m_server->api("GET", u"/api/calls?limit=1000"_s, tokens.accessToken);
        QCOMPARE(before.status, 200);
        const quint16 port = static_cast<quint16>(m_server->baseUrl().port());
        QVERIFY2(m_server->restart(), qPrintable(m_server->errorString()));
        QCOMPARE(m_server->baseUrl().port(), port);
        QCOMPARE(m_server->api("GET", u"/api/me"_s, tokens.accessToken).status, 200);
        const HttpResult after = m_server->api("GET", u"/api/calls?limit=1000"_s, tokens.accessToken);
        QCOMPARE(after.object().value("data"_L1), before.object().value("data"_L1));
        // Restarting with --calls on a seeded database does not seed again.
        QCOMPARE(after.object().value("data"_L1).toArray().size(), 50);
    }

private:
    std::unique_ptr<RefServer> m_server;
};

} // namespace

std::unique_ptr<QObject> makeAuthTests()
{
    return std::make_unique<AuthTests>();
}

} // namespace earshot::refserver::tests

#include "tst_auth.moc"
