#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QUrl>

namespace earshot::http {

struct HttpRequest
{
    QByteArray method = QByteArrayLiteral("GET");
    QUrl url;
    QList<QPair<QByteArray, QByteArray>> headers; // e.g. {"Authorization", "Bearer ..."}
    QByteArray body;                              // sent when not empty
};

struct HttpResponse
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // of the final answer, names in lower case
    QByteArray body;                      // error answers always; 2xx answers only without a sink
    qint64 contentLength = -1;            // as announced by the server, -1 when it did not say
    qint64 bodyBytes = 0;                 // bytes of the final answer's body that arrived

    bool isSuccess() const { return status >= 200 && status < 300; }
    QByteArray header(const QByteArray &lowerCaseName) const { return headers.value(lowerCaseName); }
};

// Receives the body of a successful (2xx) answer as it arrives, so that a recording
// goes straight to disk. Error bodies never reach a sink: they are kept in the response.
class HttpBodySink
{
public:
    virtual ~HttpBodySink() = default;
    // False aborts the transfer; errorString() then says why.
    virtual bool write(QByteArrayView chunk) = 0;
    virtual QString errorString() const = 0;
};

// A transfer that produced no HTTP answer (or was cut short).
struct TransferError
{
    enum class Kind {
        Refused,     // the URL policy said no; never retry
        Unreachable, // name not resolved, connection refused
        TimedOut,    // connect timeout or a stalled transfer
        Interrupted, // the connection broke mid-way
        Cancelled,   // a stop was requested
        SinkFailed,  // the local side could not take the body (disk full, ...)
        Failed,      // anything else (TLS, protocol)
    };

    Kind kind = Kind::Failed;
    QString message; // redacted: safe to log and show

    bool isTransient() const { return kind == Kind::TimedOut || kind == Kind::Interrupted; }
};

} // namespace earshot::http
