#pragma once

#include "api/serveraddress.h"
#include "api/sharedsession.h"

#include <QObject>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace earshot::http {
class CurlTransport;
}

namespace earshot {

// The server's real-time hints (GET /api/events as Server-Sent Events) on a thread of its
// own, so that a long-lived request never blocks the agent. `recording_ready` and
// `call_updated` become serverChanged() on the owner's thread; the agent treats them as
// "sync now". When the channel is refused or drops, it is tried again with jittered backoff
// (from the server's "retry:" or 1 s, doubling to 60 s) while the agent keeps polling at
// its interval; a reconnect also asks for a pass, since nothing is replayed.
class ServerEvents : public QObject
{
    Q_OBJECT

public:
    using TransportFactory = std::function<std::unique_ptr<http::CurlTransport>(const std::atomic<bool> *stopRequested)>;

    ServerEvents(ServerAddress server, std::shared_ptr<SharedSession> session, TransportFactory makeTransport,
                 QObject *parent = nullptr);
    ~ServerEvents() override; // stops the thread

    void start();
    // Tries again now rather than after the backoff (a new sign-in, a resume).
    void reconnectNow();
    bool isConnected() const { return m_connected.load(); }

Q_SIGNALS:
    void serverChanged(const QString &type, const QString &callId);
    void connectedChanged(bool connected);
    // The server refused the session and its refresh.
    void signInNeeded(const QString &message);

private:
    void run();
    // Sleeps for the backoff; false when the thread is to end.
    bool waitBeforeRetry(std::chrono::milliseconds delay);
    void setConnected(bool connected);
    void handleMessage(const QByteArray &data);

    ServerAddress m_server;
    std::shared_ptr<SharedSession> m_session;
    TransportFactory m_makeTransport;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_connected{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_retryNow = false;
};

} // namespace earshot
