#pragma once

#include "expected.h"
#include "ipc/ipcprotocol.h"

#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>

#include <functional>


namespace earshot {

// Answers one request, now or later; harmless if the client has gone meanwhile.
class IpcReply
{
public:
    IpcReply(QLocalSocket *client, qint64 id) : m_client(client), m_id(id) {}
    void ok(const QJsonObject &result = {}) const;
    void fail(const QString &code, const QString &message) const;

private:
    QPointer<QLocalSocket> m_client;
    qint64 m_id;
};

// The agent's side of the control socket: a user-only local socket, one JSON request
// per line. "hello" and "subscribe" are answered here; everything else goes to the
// handler. Events reach only the clients that subscribed.
class IpcServer : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(const ipc::Request &request, const IpcReply &reply)>;

    explicit IpcServer(QObject *parent = nullptr);
    ~IpcServer() override;

    // Call only while holding the agent's instance lock: a stale socket file is replaced.
    Status listen(const QString &socketPath);
    QString socketPath() const { return m_server.fullServerName(); }
    void setHandler(Handler handler) { m_handler = std::move(handler); }

    void broadcast(const QString &event, const QJsonObject &data);
    int clientCount() const;

private:
    struct Connection
    {
        ipc::LineBuffer buffer;
        bool subscribed = false;
    };

    void acceptConnections();
    void readFrom(QLocalSocket *client);

    QLocalServer m_server;
    Handler m_handler;
    QHash<QLocalSocket *, Connection> m_connections;
};

} // namespace earshot
