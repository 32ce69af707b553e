// Runs the reference server (earshot-refserver) for a test: in a data dir of the test's
// choice or a private temporary one, on a free loopback port, with the admin API on.
//
//     RefServer server({u"--demo"_s});
//     QVERIFY2(server.start(), qPrintable(server.errorString()));
//     const Tokens tokens = server.login(u"supervisor@demo.test"_s);
//     const HttpResult calls = server.request("GET", server.url(u"/api/calls"_s), bearer(tokens.accessToken));
#pragma once

#include "testsupport/http_result.h"
#include "testsupport/sync_http.h"

#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QStringList>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrl>

#include <memory>

namespace earshot::testsupport {

struct Tokens
{
    QString accessToken;
    QString refreshToken;
    int expiresIn = 0;
    QJsonObject user;

    bool isValid() const { return !accessToken.isEmpty(); }
};

class RefServer
{
public:
    // extraArguments are passed through (e.g. "--demo", "--calls", "1000", "--latency-ms",
    // "50"); --listen, --data-dir and --enable-admin are added. An empty dataDir means a
    // temporary directory owned by this object.
    explicit RefServer(QStringList extraArguments = {}, QString dataDir = {});
    ~RefServer();
    RefServer(const RefServer &) = delete;
    RefServer &operator=(const RefServer &) = delete;

    // Starts the server and waits for its "listening" line (seeding a large database takes
    // a while, hence the generous default).
    bool start(int timeoutMs = 180'000);
    void stop();  // SIGTERM and wait: the graceful way
    void kill();  // SIGKILL: a crash
    // stop() (if running) then start() on the same data dir, arguments and port.
    bool restart(int timeoutMs = 180'000);
    bool isRunning() const;

    QUrl baseUrl() const { return m_baseUrl; }
    // baseUrl with a path and optional query: url(u"/api/calls?limit=10"_s)
    QUrl url(const QString &pathAndQuery) const;
    QString dataDir() const { return m_dataDir; }
    QString errorString() const { return m_error; }
    qint64 processId() const;

    HttpResult request(const QByteArray &method, const QUrl &url, const HttpHeaders &headers = {},
                       const QByteArray &body = {}, int timeoutMs = 30'000);
    // Authenticated API call with a JSON body (or none).
    HttpResult api(const QByteArray &method, const QString &pathAndQuery, const QString &accessToken,
                   const QJsonDocument &body = {});

    // The admin API; an empty document when the request fails.
    QJsonDocument adminGet(const QString &path);
    QJsonDocument adminPost(const QString &path, const QJsonObject &body = {});

    Tokens login(const QString &email, const QString &password = QStringLiteral("demo"));

    SyncHttp &http() { return m_http; }

private:
    bool waitForListening(int timeoutMs);

    QStringList m_extraArguments;
    std::unique_ptr<QTemporaryDir> m_ownedDir;
    QString m_dataDir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QUrl m_baseUrl;
    QString m_error;
    SyncHttp m_http;
};

} // namespace earshot::testsupport
