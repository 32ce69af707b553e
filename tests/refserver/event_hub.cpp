#include "event_hub.h"

#include "auth_service.h"
#include "call_store.h"
#include "json_out.h"
#include "logging.h"

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

constexpr int HeartbeatMs = 15'000;

// One HTTP/1.1 chunk of a chunked body.
QByteArray chunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

} // namespace

EventHub::EventHub(AuthService &auth, QObject *parent) : QObject(parent), m_auth(auth)
{
    m_heartbeat.setInterval(HeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &EventHub::heartbeat);
    m_heartbeat.start();
}

void EventHub::subscribe(HttpReply &reply, qint64 agentScope)
{
    QTcpSocket *socket = reply.socket();
    if (!reply.isOpen())
        return;
    reply.sendHead(200, {{"Content-Type"_ba, "text/event-stream; charset=utf-8"_ba},
                         {"Cache-Control"_ba, "no-store"_ba},
                         {"Transfer-Encoding"_ba, "chunked"_ba},
                         {"X-Accel-Buffering"_ba, "no"_ba}});
    socket->write(chunk(": connected\nretry: 3000\n\n"_ba));
    m_streams.append({socket, agentScope});
    qCDebug(lcRefServer) << "event stream opened;" << subscriberCount() << "subscribers";
}

void EventHub::acceptWebSocket(QWebSocket *socket)
{
    socket->setParent(this);
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    AuthUser user;
    const TokenCheck check = m_auth.authenticate(socket->request().rawHeader("Authorization"), &user);
    if (check != TokenCheck::Ok) {
        // Closed from the event loop: closing inside the handshake's own signal leaves
        // QWebSocket reading from a closed socket.
        const QString reason = check == TokenCheck::Expired ? u"token_expired"_s : u"invalid_token"_s;
        QTimer::singleShot(0, socket, [socket, reason]() {
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
        });
        return;
    }
    m_webSockets.append({socket, user.callScope()});
    qCDebug(lcRefServer) << "event WebSocket opened;" << subscriberCount() << "subscribers";
}

void EventHub::publishCallUpdated(const CallRow &call)
{
    QByteArray message = R"({"type":"call_updated","call_id":)"_ba;
    json::appendString(message, call.id);
    message.append('}');
    publish(message, call.agentSeq);
}

void EventHub::publishRecordingReady(const CallRow &call)
{
    if (!call.recording)
        return;
    QByteArray message = R"({"type":"recording_ready","call_id":)"_ba;
    json::appendString(message, call.id);
    message.append(R"(,"recording_id":)");
    json::appendString(message, call.recording->id);
    message.append('}');
    publish(message, call.agentSeq);
}

void EventHub::publish(const QByteArray &message, qint64 callAgentSeq)
{
    prune();
    const qint64 eventId = m_nextEventId++;
    const QByteArray frame = chunk("id: " + QByteArray::number(eventId) + "\ndata: " + message + "\n\n");
    for (const Subscriber &subscriber : std::as_const(m_streams)) {
        if (subscriber.agentScope == 0 || subscriber.agentScope == callAgentSeq)
            subscriber.socket->write(frame);
    }
    for (const WebSocketSubscriber &subscriber : std::as_const(m_webSockets)) {
        if (subscriber.agentScope == 0 || subscriber.agentScope == callAgentSeq)
            subscriber.socket->sendTextMessage(QString::fromUtf8(message));
    }
}

void EventHub::heartbeat()
{
    prune();
    const QByteArray comment = chunk(": heartbeat\n\n"_ba);
    for (const Subscriber &subscriber : std::as_const(m_streams))
        subscriber.socket->write(comment);
    for (const WebSocketSubscriber &subscriber : std::as_const(m_webSockets))
        subscriber.socket->ping();
}

void EventHub::prune()
{
    m_streams.removeIf([](const Subscriber &s) {
        return !s.socket || s.socket->state() != QAbstractSocket::ConnectedState;
    });
    m_webSockets.removeIf([](const WebSocketSubscriber &s) {
        return !s.socket || s.socket->state() != QAbstractSocket::ConnectedState;
    });
}

} // namespace earshot::refserver
