#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThread>
#include <QUrl>

#include <memory>

class QTcpServer;

// A media server that misbehaves on purpose, for the cases a well-behaved server (the
// reference server, nginx) never produces: 200 to a Range request, 416, a wrong
// Content-Range, an expired link in the middle of a download, 503 with Retry-After, a
// body cut short, a head and then silence. Serves the files of one directory at /media/FILE over HTTP/1.1, one
// request per connection, on a thread of its own (tests block their own thread while the
// agent runs). Every request is logged.
class HostileMediaServer
{
public:
    enum class Answer {
        Normal,            // 200, or 206 for a Range
        IgnoreRange,       // 200 with the whole body, whatever the Range said
        RangeNotSatisfiable, // 416 with Content-Range: bytes */SIZE
        WrongContentRange, // 206 whose Content-Range starts one chunk later than asked
        Status,            // `status` with an error body (and Retry-After when given)
        CutShort,          // the right head, then the body ends after `cutAfter` bytes
        Silent,            // the right head, then nothing, the connection held open
        Redirect,          // 302 to `location`
    };
    struct Behaviour
    {
        Answer answer = Answer::Normal;
        int status = 0;
        QByteArray retryAfter;
        qint64 cutAfter = 0;
        QByteArray location = {};
        // Sent as ETag with a 200 or 206; If-Range is logged but never honoured (a server
        // that ignores it, or whose copy changed under the same Range).
        QByteArray etag = {};
        // Sent as Last-Modified, with a Date of now, when given: the file's date, or "now".
        QByteArray lastModified = {};
    };
    struct Request
    {
        QByteArray path;  // without the query
        QByteArray query;
        QByteArray range; // the Range header, empty when absent
        QByteArray ifRange;
        QByteArray authorization;
        int status = 0;
        qint64 elapsedMs = 0; // since start()
    };

    explicit HostileMediaServer(QString rootDir);
    ~HostileMediaServer();
    HostileMediaServer(const HostileMediaServer &) = delete;
    HostileMediaServer &operator=(const HostileMediaServer &) = delete;

    bool start();
    QUrl url(const QString &file, const QString &query = {}) const;

    // How the next requests are answered, in order; then normally again.
    void script(const QList<Behaviour> &behaviours);
    // Bytes per second per response; 0: as fast as the socket takes them.
    void setThrottle(qint64 bytesPerSecond);
    QList<Request> requests() const;

private:
    class Worker;
    std::unique_ptr<Worker> m_worker;
    QThread m_thread;
    quint16 m_port = 0;
};
