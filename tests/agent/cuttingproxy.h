#pragma once

#include <QObject>
#include <QThread>

#include <memory>

// A TCP proxy on loopback that forwards everything to one upstream port and can cut every
// connection on demand: a network that breaks in the middle of a download, in front of a
// server that never drops a body by itself (nginx). Runs on a thread of its own, because
// tests block their own thread while the agent runs.
class CuttingProxy
{
public:
    explicit CuttingProxy(quint16 upstreamPort);
    ~CuttingProxy();
    CuttingProxy(const CuttingProxy &) = delete;
    CuttingProxy &operator=(const CuttingProxy &) = delete;

    bool start();
    quint16 port() const { return m_port; }
    // Aborts every open connection, both sides; later connections work again.
    void cutAll();
    // While down, a new connection is closed as soon as it arrives: a network that is gone.
    void setDown(bool down);
    int connectionsSeen() const;

private:
    class Worker;
    std::unique_ptr<Worker> m_worker;
    QThread m_thread;
    quint16 m_port = 0;
};
