#include "ipc/ipcserver.h"

#include "logging.h"

#include <QLocalSocket>

using namespace Qt::StringLiterals;

namespace earshot {


void IpcReply::ok(const QJsonObject &result) const
{
    if (m_client)
        m_client->write(ipc::encodeResult(m_id, result));
}

void IpcReply::fail(const QString &code, const QString &message) const
{
    if (m_client)
        m_client->write(ipc::encodeError(m_id, code, message));
}

IpcServer::IpcServer(QObject *parent)
    : QObject(parent)
{
    // Only the user who runs the agent may connect: the socket controls their cache.
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &IpcServer::acceptConnections);
}

IpcServer::~IpcServer()
{
    // The sockets are the server's children and close as it goes; they must not call back.
    for (QLocalSocket *client : m_connections.keys())
        client->disconnect(this);
    m_connections.clear();
    m_server.close();
}

Status IpcServer::listen(const QString &socketPath)
{
    QLocalServer::removeServer(socketPath);
    if (!m_server.listen(socketPath))
        return Status::failure(u"cannot open the control socket %1: %2"_s.arg(socketPath, m_server.errorString()));
    qCInfo(lcIpc) << "listening on" << socketPath;
    return Status::ok();
}

int IpcServer::clientCount() const
{
    return static_cast<int>(m_connections.size());
}

void IpcServer::acceptConnections()
{
    while (QLocalSocket *client = m_server.nextPendingConnection()) {
        m_connections.insert(client, Connection{});
        connect(client, &QLocalSocket::readyRead, this, [this, client] { readFrom(client); });
        connect(client, &QLocalSocket::disconnected, this, [this, client] {
            m_connections.remove(client);
            client->deleteLater();
        });
    }
}

void IpcServer::readFrom(QLocalSocket *client)
{
    const auto connection = m_connections.find(client);
    if (connection == m_connections.end())
        return;
    ipc::LineBuffer &buffer = connection->buffer;
    buffer.append(client->readAll());
    QByteArray line;
    while (buffer.takeLine(line)) {
        if (line.trimmed().isEmpty())
            continue;
        const auto request = ipc::decodeRequest(line);
        if (!request) {
            client->write(ipc::encodeError(-1, u"bad_request"_s, request.error()));
            continue;
        }
        const IpcReply reply(client, request->id);
        if (request->command == "hello"_L1) {
            reply.ok({{"protocol"_L1, ipc::kProtocolVersion},
                      {"agent_version"_L1, QStringLiteral(EARSHOT_VERSION)}});
        } else if (request->command == "subscribe"_L1) {
            connection->subscribed = true;
            reply.ok();
        } else if (m_handler) {
            m_handler(*request, reply);
        } else {
            reply.fail(u"unknown_command"_s, u"no such command: "_s + request->command);
        }
    }
    if (buffer.overflowed()) {
        qCWarning(lcIpc) << "dropping a client that sent an over-long line";
        client->abort();
    }
}

void IpcServer::broadcast(const QString &event, const QJsonObject &data)
{
    const QByteArray line = ipc::encodeEvent(event, data);
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        if (it->subscribed && it.key()->state() == QLocalSocket::ConnectedState)
            it.key()->write(line);
    }
}

} // namespace earshot
