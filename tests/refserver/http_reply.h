// Writes HTTP/1.1 responses straight to the connection's socket. QHttpServerResponder is
// bypassed on purpose: the media route streams files in chunks and the drop-body fault
// closes mid-body, the events route keeps the response open, and delayed responses must
// cope with the client having gone away (the socket is held through a QPointer).
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QList>
#include <QtCore/QPointer>
#include <QtCore/QString>
#include <QtNetwork/QTcpSocket>

#include <utility>

namespace earshot::refserver {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
QByteArray httpDateOf(qint64 secondsSinceEpoch);

class HttpReply
{
public:
    // closeAfter: the client asked for "Connection: close". logLabel names the request
    // in debug logs ("GET /api/calls").
    HttpReply(QTcpSocket *socket, bool closeAfter, QByteArray logLabel);

    QTcpSocket *socket() const { return m_socket.data(); }
    bool isOpen() const { return m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }

    void send(int status, QByteArrayView contentType, const QByteArray &body,
              const HttpHeaders &extraHeaders = {});
    void sendJson(int status, const QByteArray &json, const HttpHeaders &extraHeaders = {});
    void sendJson(int status, const QJsonDocument &document, const HttpHeaders &extraHeaders = {});
    // {"error": {"code": code, "message": message}}
    void sendError(int status, QLatin1StringView code, const QString &message,
                   const HttpHeaders &extraHeaders = {});

    // For responses whose body the caller writes itself (media, events). The headers must
    // include Content-Length or Transfer-Encoding as appropriate.
    void sendHead(int status, const HttpHeaders &headers);
    // Call when a streamed body is complete; honours "Connection: close".
    void finishStream();

private:
    QPointer<QTcpSocket> m_socket;
    bool m_closeAfter;
    QByteArray m_logLabel;
};

} // namespace earshot::refserver
