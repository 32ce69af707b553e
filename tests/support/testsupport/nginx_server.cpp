#include "testsupport/nginx_server.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QStandardPaths>
#include <QtCore/QUuid>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <algorithm>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

using namespace Qt::StringLiterals;

namespace earshot::testsupport {

namespace {

// Paths go into quoted nginx strings, where these would end the string, start a variable
// or an escape.
bool isSafeForConfig(const QString &text)
{
    return !text.isEmpty() && std::none_of(text.cbegin(), text.cend(), [](QChar c) {
        return c == u'"' || c == u'$' || c == u'\\' || c == u';' || c == u'{' || c == u'}' || c.unicode() < 0x20;
    });
}

// The kernel picks a free port; nginx binds it a moment later (start() retries if another
// process took it in between).
quint16 pickFreePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : quint16(0);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

NginxServer::NginxServer(QString rootDir, QString secret)
    : m_rootDir(QDir(rootDir).absolutePath()), m_secret(std::move(secret))
{
    if (m_secret.isEmpty())
        m_secret = QUuid::createUuid().toString(QUuid::Id128);
}

NginxServer::~NginxServer()
{
    stop();
}

QString NginxServer::executable()
{
    QString path = QStandardPaths::findExecutable(u"nginx"_s);
    if (path.isEmpty()) // /usr/sbin is often not in a normal user's PATH
        path = QStandardPaths::findExecutable(u"nginx"_s, {u"/usr/sbin"_s, u"/usr/local/sbin"_s, u"/sbin"_s});
    return path;
}

QString NginxServer::runDir() const
{
    return m_runDir ? m_runDir->path() : QString();
}

void NginxServer::serveTls(QString certificateFile, QString keyFile)
{
    m_certificateFile = std::move(certificateFile);
    m_keyFile = std::move(keyFile);
}

QUrl NginxServer::baseUrl() const
{
    const QString scheme = m_certificateFile.isEmpty() ? u"http"_s : u"https"_s;
    return QUrl(u"%1://127.0.0.1:%2/media"_s.arg(scheme).arg(m_port));
}

bool NginxServer::writeConfig()
{
    const QString templatePath = QStringLiteral(EARSHOT_NGINX_CONF_TEMPLATE);
    QByteArray config = readFile(templatePath);
    if (config.isEmpty()) {
        m_error = u"cannot read the nginx config template %1"_s.arg(templatePath);
        return false;
    }
    const bool tls = !m_certificateFile.isEmpty();
    if (!isSafeForConfig(m_rootDir) || !isSafeForConfig(runDir())
        || (tls && (!isSafeForConfig(m_certificateFile) || !isSafeForConfig(m_keyFile)))
        || !std::all_of(m_secret.cbegin(), m_secret.cend(), [](QChar c) { return c.isLetterOrNumber() || c == u'-' || c == u'_'; })) {
        m_error = u"the root dir, run dir, secret, certificate or key path has characters nginx's config cannot take"_s;
        return false;
    }
    config.replace("@PREFIX@", runDir().toUtf8())
        .replace("@ROOT@", m_rootDir.toUtf8())
        .replace("@PORT@", QByteArray::number(m_port))
        .replace("@SECRET@", m_secret.toUtf8())
        .replace("@LISTEN_TLS@", tls ? " ssl http2" : "")
        .replace("@TLS@", tls ? "ssl_certificate \"" + m_certificateFile.toUtf8() + "\"; ssl_certificate_key \""
                                    + m_keyFile.toUtf8() + "\";"
                              : QByteArray());
    QFile out(QDir(runDir()).filePath(u"nginx.conf"_s));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(config) != config.size()) {
        m_error = u"cannot write %1"_s.arg(out.fileName());
        return false;
    }
    return true;
}

bool NginxServer::start(int timeoutMs)
{
    if (isRunning())
        return true;
    m_error.clear();
    const QString nginx = executable();
    if (nginx.isEmpty()) {
        m_error = u"nginx is not installed (Debian: apt-get install nginx; scripts/test installs it when "
                  "EARSHOT_PACKAGES lists it)"_s;
        return false;
    }
    if (!QFileInfo(m_rootDir).isDir()) {
        m_error = u"%1 is not a directory"_s.arg(m_rootDir);
        return false;
    }
    QDeadlineTimer deadline(timeoutMs);
    // A port picked free may be taken before nginx binds it; a few attempts settle that.
    for (int attempt = 0; attempt < 3 && !deadline.hasExpired(); ++attempt) {
        m_runDir = std::make_unique<QTemporaryDir>();
        m_port = pickFreePort();
        if (!m_runDir->isValid() || m_port == 0) {
            m_error = u"cannot create a temporary directory or find a free port"_s;
            return false;
        }
        if (!writeConfig())
            return false;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
#ifdef Q_OS_LINUX
        // If the test process dies without cleaning up, nginx goes with it.
        m_process->setChildProcessModifier([]() { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
        const QString dir = runDir();
        m_process->start(nginx, {u"-p"_s, dir + u'/', u"-e"_s, dir + u"/error.log"_s, u"-c"_s,
                                 dir + u"/nginx.conf"_s, u"-g"_s, u"daemon off;"_s});
        if (!m_process->waitForStarted(10'000)) {
            m_error = u"cannot start %1: %2"_s.arg(nginx, m_process->errorString());
            m_process.reset();
            return false;
        }
        if (waitUntilServing(static_cast<int>(deadline.remainingTime())))
            return true;
        const bool portTaken = m_error.contains("Address already in use"_L1);
        kill();
        if (!portTaken)
            return false;
    }
    return false;
}

bool NginxServer::waitUntilServing(int timeoutMs)
{
    const QString pidFile = QDir(runDir()).filePath(u"nginx.pid"_s);
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process->state() == QProcess::NotRunning) {
            m_error = u"nginx exited with code %1: %2 %3"_s.arg(m_process->exitCode())
                          .arg(QString::fromUtf8(m_process->readAll()).trimmed(),
                               QString::fromUtf8(errorLog()).trimmed());
            return false;
        }
        // nginx writes its pid file after binding the listening socket.
        if (QFileInfo::exists(pidFile)) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(500))
                return true;
        }
        m_process->waitForFinished(50);
    }
    m_error = u"nginx did not accept connections within %1 ms: %2"_s.arg(timeoutMs).arg(
        QString::fromUtf8(errorLog()).trimmed());
    return false;
}

void NginxServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(10'000)) {
            m_process->kill();
            m_process->waitForFinished(5'000);
        }
    }
    m_process.reset();
}

void NginxServer::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5'000);
    m_process.reset();
}

bool NginxServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QList<NginxAccessEntry> NginxServer::accessLog() const
{
    return parseNginxAccessLog(readFile(QDir(runDir()).filePath(u"access.log"_s)));
}

QByteArray NginxServer::errorLog() const
{
    return readFile(QDir(runDir()).filePath(u"error.log"_s));
}

QByteArray NginxServer::linkToken(qint64 expiresAt, const QString &uri, const QString &secret)
{
    const QByteArray text = QByteArray::number(expiresAt) + uri.toUtf8() + ' ' + secret.toUtf8();
    return QCryptographicHash::hash(text, QCryptographicHash::Md5)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QUrl NginxServer::signedUrl(const QString &relativePath, qint64 expiresAt) const
{
    const QString uri = u"/media/"_s + relativePath;
    QUrl url = baseUrl();
    url.setPath(uri);
    url.setQuery(u"md5=%1&expires=%2"_s.arg(QString::fromLatin1(linkToken(expiresAt, uri, m_secret))).arg(expiresAt));
    return url;
}

QUrl NginxServer::directoryUrl(const QString &directory, qint64 expiresAt) const
{
    const QString dir = u'/' + directory + u'/';
    QUrl url = baseUrl();
    url.setPath(u"/s/%1/%2%3"_s.arg(QString::fromLatin1(linkToken(expiresAt, dir, m_secret))).arg(expiresAt).arg(dir));
    return url;
}

} // namespace earshot::testsupport
