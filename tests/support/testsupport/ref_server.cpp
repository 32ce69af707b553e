#include "testsupport/ref_server.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

using namespace Qt::StringLiterals;

namespace earshot::testsupport {

RefServer::RefServer(QStringList extraArguments, QString dataDir)
    : m_extraArguments(std::move(extraArguments)), m_dataDir(std::move(dataDir))
{
    if (m_dataDir.isEmpty()) {
        m_ownedDir = std::make_unique<QTemporaryDir>();
        m_dataDir = m_ownedDir->path();
    }
}

RefServer::~RefServer()
{
    stop();
}

bool RefServer::start(int timeoutMs)
{
    if (isRunning())
        return true;
    m_error.clear();
    m_process = std::make_unique<QProcess>();
    // Server logs go straight to the test's stderr, so nothing can fill a pipe and stall it.
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
#ifdef Q_OS_LINUX
    // If the test process dies without cleaning up, the server goes with it.
    m_process->setChildProcessModifier([]() { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    QStringList arguments = m_extraArguments;
    arguments << u"--listen"_s << u"127.0.0.1:%1"_s.arg(m_port) << u"--data-dir"_s << m_dataDir
              << u"--enable-admin"_s;
    m_process->start(QStringLiteral(EARSHOT_REFSERVER_PATH), arguments);
    if (!m_process->waitForStarted(10'000)) {
        m_error = u"cannot start %1: %2"_s.arg(QStringLiteral(EARSHOT_REFSERVER_PATH), m_process->errorString());
        m_process.reset();
        return false;
    }
    if (!waitForListening(timeoutMs)) {
        kill();
        return false;
    }
    return true;
}

bool RefServer::waitForListening(int timeoutMs)
{
    static const QRegularExpression readyLine(u"^earshot-refserver listening on (http://\\S+)$"_s);
    QDeadlineTimer deadline(timeoutMs);
    QByteArray output;
    while (!deadline.hasExpired()) {
        if (m_process->canReadLine()) {
            const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
            const auto match = readyLine.match(line);
            if (match.hasMatch()) {
                m_baseUrl = QUrl(match.captured(1));
                m_port = static_cast<quint16>(m_baseUrl.port());
                return true;
            }
            output += line.toUtf8() + '\n';
            continue;
        }
        if (m_process->state() == QProcess::NotRunning) {
            m_error = u"earshot-refserver exited with code %1 before listening; stdout: %2"_s.arg(
                m_process->exitCode())
                          .arg(QString::fromUtf8(output));
            return false;
        }
        m_process->waitForReadyRead(static_cast<int>(std::min<qint64>(deadline.remainingTime(), 500)));
    }
    m_error = u"earshot-refserver did not start listening within %1 ms"_s.arg(timeoutMs);
    return false;
}

void RefServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(15'000)) {
            m_process->kill();
            m_process->waitForFinished(5'000);
        }
    }
    m_process.reset();
}

void RefServer::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5'000);
    m_process.reset();
}

bool RefServer::restart(int timeoutMs)
{
    stop();
    return start(timeoutMs);
}

bool RefServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 RefServer::processId() const
{
    return m_process ? m_process->processId() : 0;
}

QUrl RefServer::url(const QString &pathAndQuery) const
{
    const qsizetype question = pathAndQuery.indexOf(u'?');
    QUrl url = m_baseUrl;
    url.setPath(question < 0 ? pathAndQuery : pathAndQuery.left(question));
    if (question >= 0)
        url.setQuery(pathAndQuery.mid(question + 1));
    return url;
}

HttpResult RefServer::request(const QByteArray &method, const QUrl &url, const HttpHeaders &headers,
                              const QByteArray &body, int timeoutMs)
{
    return m_http.request(method, url, headers, body, timeoutMs);
}

HttpResult RefServer::api(const QByteArray &method, const QString &pathAndQuery, const QString &accessToken,
                          const QJsonDocument &body)
{
    return request(method, url(pathAndQuery), accessToken.isEmpty() ? HttpHeaders() : bearer(accessToken),
                   body.isNull() ? QByteArray() : body.toJson(QJsonDocument::Compact));
}

QJsonDocument RefServer::adminGet(const QString &path)
{
    const HttpResult result = request("GET", url(path));
    return result.status >= 200 && result.status < 300 ? result.json() : QJsonDocument();
}

QJsonDocument RefServer::adminPost(const QString &path, const QJsonObject &body)
{
    const HttpResult result = request("POST", url(path), {}, QJsonDocument(body).toJson(QJsonDocument::Compact));
    return result.status >= 200 && result.status < 300 ? result.json() : QJsonDocument();
}

Tokens RefServer::login(const QString &email, const QString &password)
{
    const QJsonObject credentials{{u"email"_s, email}, {u"password"_s, password}};
    const HttpResult result = request("POST", url(u"/api/auth/login"_s), {},
                                      QJsonDocument(credentials).toJson(QJsonDocument::Compact));
    if (result.status != 200)
        return {};
    const QJsonObject body = result.object();
    return {body.value("access_token"_L1).toString(), body.value("refresh_token"_L1).toString(),
            body.value("expires_in"_L1).toInt(), body.value("user"_L1).toObject()};
}

} // namespace earshot::testsupport
