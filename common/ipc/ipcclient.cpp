#include "ipc/ipcclient.h"

#include "logging.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace earshot {

IpcClient::IpcClient(QString socketPath, QObject *parent)
    : QObject(parent)
    , m_socketPath(std::move(socketPath))
{
    connect(&m_socket, &QLocalSocket::connected, this, &IpcClient::connected);
    connect(&m_socket, &QLocalSocket::readyRead, this, &IpcClient::readAnswers);
    connect(&m_socket, &QLocalSocket::disconnected, this, [this] {
        failAllPending(u"the sync agent closed the connection"_s);
        Q_EMIT disconnected();
    });
    connect(&m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        const QString why = u"cannot reach the sync agent: "_s + m_socket.errorString();
        failAllPending(why);
        Q_EMIT connectionFailed(why);
    });
}

IpcClient::~IpcClient()
{
    // The socket closes as a member is destroyed and would call back into a half-gone object.
    m_socket.disconnect(this);
}

void IpcClient::connectToAgent()
{
    if (m_socket.state() == QLocalSocket::UnconnectedState)
        m_socket.connectToServer(m_socketPath);
}

bool IpcClient::waitForConnected(std::chrono::milliseconds timeout)
{
    connectToAgent();
    return isConnected() || m_socket.waitForConnected(static_cast<int>(timeout.count()));
}

void IpcClient::request(const QString &command, const QJsonObject &args, QObject *context, Callback callback)
{
    if (!isConnected()) {
        callback(Expected<QJsonObject>::failure(u"the sync agent is not running"_s));
        return;
    }
    const qint64 id = m_nextId++;
    m_pending.insert(id, {context, std::move(callback)});
    m_socket.write(ipc::encodeRequest({id, command, args}));
    // Now rather than when the event loop next runs: the player may be waiting on it.
    m_socket.flush();
}

Expected<QJsonObject> IpcClient::requestAndWait(const QString &command, const QJsonObject &args,
                                                std::chrono::milliseconds timeout)
{
    std::optional<Expected<QJsonObject>> answer;
    QEventLoop loop;
    request(command, args, &loop, [&answer, &loop](const Expected<QJsonObject> &result) {
        answer = result;
        loop.quit();
    });
    if (!answer) {
        QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!answer)
        return Expected<QJsonObject>::failure(u"the sync agent did not answer \"%1\" in time"_s.arg(command));
    return *answer;
}

void IpcClient::readAnswers()
{
    m_buffer.append(m_socket.readAll());
    QByteArray line;
    while (m_buffer.takeLine(line)) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.contains("event"_L1)) {
            Q_EMIT eventReceived(object.value("event"_L1).toString(), object.value("data"_L1).toObject());
            continue;
        }
        const auto pending = m_pending.take(object.value("id"_L1).toInteger(-1));
        if (!pending.callback || (pending.context.isNull()))
            continue; // an answer nobody waits for any more
        if (object.value("ok"_L1).toBool()) {
            pending.callback(object.value("result"_L1).toObject());
        } else {
            const QJsonObject error = object.value("error"_L1).toObject();
            pending.callback(Expected<QJsonObject>::failure(
                error.value("message"_L1).toString(u"the sync agent refused the request"_s)));
        }
    }
    if (m_buffer.overflowed()) {
        qCWarning(lcIpc) << "the agent sent an over-long line; disconnecting";
        m_socket.abort();
    }
}

void IpcClient::failAllPending(const QString &why)
{
    const auto pending = std::exchange(m_pending, {});
    for (const Pending &entry : pending) {
        if (entry.context && entry.callback)
            entry.callback(Expected<QJsonObject>::failure(why));
    }
}

} // namespace earshot
