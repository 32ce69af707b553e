// Runs a real nginx for a test, as the current user: the config of
// tests/nginx/secure-media.conf.in written into a private temporary directory (pid file,
// logs and temp paths all inside it), on a free loopback port, serving one directory
// behind secure_link (403 for a bad signature, 410 once expired, Range as nginx does it).
//
//     NginxServer nginx(recordingsDir);
//     QVERIFY2(nginx.start(), qPrintable(nginx.errorString()));
//     RefServer server({u"--media-base-url"_s, nginx.baseUrl().toString(),
//                       u"--media-secret"_s, nginx.secret(), …});
#pragma once

#include "testsupport/nginx_access_log.h"

#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrl>

#include <memory>

namespace earshot::testsupport {

class NginxServer
{
public:
    // rootDir is served under /media/; an empty secret means a random one.
    explicit NginxServer(QString rootDir, QString secret = {});
    ~NginxServer();
    NginxServer(const NginxServer &) = delete;
    NginxServer &operator=(const NginxServer &) = delete;

    // The nginx binary (PATH, then the sbin folders); empty when nginx is not installed.
    static QString executable();

    // Serve https with HTTP/2 instead of plain http, with this certificate chain and key
    // (PEM). Before start().
    void serveTls(QString certificateFile, QString keyFile);

    // Writes the config and starts nginx; true once it accepts connections.
    bool start(int timeoutMs = 15'000);
    void stop(); // SIGTERM and wait
    void kill(); // SIGKILL: nginx runs as one process, so nothing is left behind
    bool isRunning() const;

    QUrl baseUrl() const; // http(s)://127.0.0.1:PORT/media, the root of rootDir
    quint16 port() const { return m_port; }
    QString secret() const { return m_secret; }
    QString rootDir() const { return m_rootDir; }
    QString runDir() const; // nginx.conf, access.log, error.log
    QString errorString() const { return m_error; }

    QList<NginxAccessEntry> accessLog() const;
    QByteArray errorLog() const;

    // What the reference server hands out for a file (a path relative to rootDir), made
    // here independently: base64url(md5("EXPIRES" + "/media/PATH" + " " + secret)).
    QUrl signedUrl(const QString &relativePath, qint64 expiresAt) const;
    // A link to a whole directory of rootDir (one path segment) for clients that append
    // file names to a base URL: http://127.0.0.1:PORT/s/TOKEN/EXPIRES/DIR/
    QUrl directoryUrl(const QString &directory, qint64 expiresAt) const;
    static QByteArray linkToken(qint64 expiresAt, const QString &uri, const QString &secret);

private:
    bool writeConfig();
    bool waitUntilServing(int timeoutMs);

    QString m_rootDir;
    QString m_secret;
    QString m_certificateFile, m_keyFile; // both empty: plain http
    std::unique_ptr<QTemporaryDir> m_runDir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace earshot::testsupport
