// GET /api/events subscribers, as Server-Sent Events or as a WebSocket, and the messages
// pushed to them when calls change. Agents only hear about their own calls. A comment (SSE)
// or a ping (WebSocket) every 15 s keeps idle connections and proxies awake.
#pragma once

#include "http_reply.h"

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtWebSockets/QWebSocket>

namespace earshot::refserver {

class AuthService;
struct CallRow;

class EventHub : public QObject
{
    Q_OBJECT

public:
    EventHub(AuthService &auth, QObject *parent = nullptr);

    // Turns the reply into an open event stream (writes the head and a first comment).
    void subscribe(HttpReply &reply, qint64 agentScope);
    // A WebSocket that QHttpServer upgraded on /api/events; authenticated here from the
    // handshake's Authorization header.
    void acceptWebSocket(QWebSocket *socket);

    void publishCallUpdated(const CallRow &call);
    void publishRecordingReady(const CallRow &call);

    qsizetype subscriberCount() const { return m_streams.size() + m_webSockets.size(); }

private:
    struct Subscriber
    {
        QPointer<QTcpSocket> socket;
        qint64 agentScope = 0;
    };
    struct WebSocketSubscriber
    {
        QPointer<QWebSocket> socket;
        qint64 agentScope = 0;
    };

    void publish(const QByteArray &message, qint64 callAgentSeq);
    void heartbeat();
    void prune();

    AuthService &m_auth;
    QList<Subscriber> m_streams;
    QList<WebSocketSubscriber> m_webSockets;
    QTimer m_heartbeat;
    qint64 m_nextEventId = 1;
};

} // namespace earshot::refserver
