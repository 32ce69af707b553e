#include "http_reply.h"

#include "logging.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>

#include <ctime>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

const char *reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

// RFC 9110 IMF-fixdate of now, recomputed at most once a second.
QByteArray httpDate()
{
    static qint64 cachedSecond = -1;
    static QByteArray cached;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now != cachedSecond) {
        cached = httpDateOf(now);
        cachedSecond = now;
    }
    return cached;
}

QByteArray head(int status, const HttpHeaders &headers)
{
    QByteArray text;
    text.reserve(256);
    text += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    text += "Date: " + httpDate() + "\r\n";
    text += "Server: earshot-refserver/" EARSHOT_VERSION "\r\n";
    for (const auto &[name, value] : headers)
        text += name + ": " + value + "\r\n";
    text += "\r\n";
    return text;
}

} // namespace

QByteArray httpDateOf(qint64 secondsSinceEpoch)
{
    static constexpr const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = static_cast<std::time_t>(secondsSinceEpoch);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return QByteArray(days[tm.tm_wday]) + ", " + QByteArray::number(tm.tm_mday).rightJustified(2, '0') + ' '
           + months[tm.tm_mon] + ' ' + QByteArray::number(tm.tm_year + 1900) + ' '
           + QByteArray::number(tm.tm_hour).rightJustified(2, '0') + ':'
           + QByteArray::number(tm.tm_min).rightJustified(2, '0') + ':'
           + QByteArray::number(tm.tm_sec).rightJustified(2, '0') + " GMT";
}

HttpReply::HttpReply(QTcpSocket *socket, bool closeAfter, QByteArray logLabel)
    : m_socket(socket), m_closeAfter(closeAfter), m_logLabel(std::move(logLabel))
{
    // Replies are written in several pieces (headers, then body chunks). With Nagle on,
    // the last small piece waits for the client's delayed ACK: about 40 ms per
    // response on a kept-alive connection.
    if (m_socket)
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

void HttpReply::send(int status, QByteArrayView contentType, const QByteArray &body,
                     const HttpHeaders &extraHeaders)
{
    if (!isOpen())
        return;
    HttpHeaders headers{{"Content-Type"_ba, contentType.toByteArray()},
                        {"Content-Length"_ba, QByteArray::number(body.size())},
                        {"Cache-Control"_ba, "no-store"_ba}};
    headers += extraHeaders;
    if (m_closeAfter)
        headers.append({"Connection"_ba, "close"_ba});
    m_socket->write(head(status, headers));
    m_socket->write(body);
    qCDebug(lcRefServer).noquote() << m_logLabel << "->" << status << body.size() << "bytes";
    if (m_closeAfter)
        m_socket->disconnectFromHost();
}

void HttpReply::sendJson(int status, const QByteArray &json, const HttpHeaders &extraHeaders)
{
    send(status, "application/json; charset=utf-8", json, extraHeaders);
}

void HttpReply::sendJson(int status, const QJsonDocument &document, const HttpHeaders &extraHeaders)
{
    sendJson(status, document.toJson(QJsonDocument::Compact), extraHeaders);
}

void HttpReply::sendError(int status, QLatin1StringView code, const QString &message,
                          const HttpHeaders &extraHeaders)
{
    const QJsonObject error{{u"code"_s, code}, {u"message"_s, message}};
    sendJson(status, QJsonDocument(QJsonObject{{u"error"_s, error}}), extraHeaders);
}

void HttpReply::sendHead(int status, const HttpHeaders &headers)
{
    if (!isOpen())
        return;
    m_socket->write(head(status, headers));
    qCDebug(lcRefServer).noquote() << m_logLabel << "->" << status << "(streaming)";
}

void HttpReply::finishStream()
{
    if (m_closeAfter && m_socket)
        m_socket->disconnectFromHost();
}

} // namespace earshot::refserver
