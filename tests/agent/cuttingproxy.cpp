#include "cuttingproxy.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <atomic>

class CuttingProxy::Worker : public QObject
{
public:
    explicit Worker(quint16 upstreamPort) : m_upstreamPort(upstreamPort) {}

    quint16 listen()
    {
        m_server = new QTcpServer(this);
        QObject::connect(m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server->nextPendingConnection()) {
                if (down.load()) {
                    client->abort();
                    client->deleteLater();
                } else {
                    pipe(client);
                }
            }
        });
        return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0;
    }

    void cutAll()
    {
        const QList<QPointer<QTcpSocket>> sockets = std::exchange(m_sockets, {});
        for (const QPointer<QTcpSocket> &socket : sockets) {
            if (socket)
                socket->abort();
        }
    }

    std::atomic<int> connections{0};
    std::atomic<bool> down{false};

private:
    void pipe(QTcpSocket *client)
    {
        ++connections;
        auto *upstream = new QTcpSocket(client);
        m_sockets.append(client);
        m_sockets.append(upstream);
        const auto forward = [](QTcpSocket *from, QTcpSocket *to) {
            QObject::connect(from, &QTcpSocket::readyRead, to, [from, to] {
                if (to->state() == QAbstractSocket::ConnectedState)
                    to->write(from->readAll());
            });
        };
        forward(client, upstream);
        forward(upstream, client);
        QObject::connect(upstream, &QTcpSocket::connected, client, [client, upstream] {
            upstream->write(client->readAll()); // what arrived before the upstream was there
        });
        QObject::connect(upstream, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
        QObject::connect(client, &QTcpSocket::disconnected, client, [client, upstream] {
            upstream->abort();
            client->deleteLater();
        });
        QObject::connect(upstream, &QTcpSocket::errorOccurred, client, [client] { client->abort(); });
        upstream->connectToHost(QHostAddress::LocalHost, m_upstreamPort);
    }

    quint16 m_upstreamPort;
    QTcpServer *m_server = nullptr;
    QList<QPointer<QTcpSocket>> m_sockets;
};

CuttingProxy::CuttingProxy(quint16 upstreamPort)
    : m_worker(std::make_unique<Worker>(upstreamPort))
{
}

CuttingProxy::~CuttingProxy()
{
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(m_worker.get(), [this] { delete m_worker.release(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

bool CuttingProxy::start()
{
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker.get(), [this] { m_port = m_worker->listen(); }, Qt::BlockingQueuedConnection);
    return m_port != 0;
}

void CuttingProxy::cutAll()
{
    QMetaObject::invokeMethod(m_worker.get(), [this] { m_worker->cutAll(); }, Qt::BlockingQueuedConnection);
}

void CuttingProxy::setDown(bool down)
{
    m_worker->down.store(down);
}

int CuttingProxy::connectionsSeen() const
{
    return m_worker->connections.load();
}
