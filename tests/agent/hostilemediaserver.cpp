#include "hostilemediaserver.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QLocale>
#include <QFile>
#include <QPointer>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kPiece = 64 * 1024;
}

class HostileMediaServer::Worker : public QObject
{
public:
    explicit Worker(QString rootDir) : m_rootDir(std::move(rootDir)) {}

    quint16 listen()
    {
        m_server = new QTcpServer(this);
        QObject::connect(m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection())
                serve(socket);
        });
        m_clock.start();
        return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0;
    }

    mutable QMutex mutex;
    QList<Behaviour> scripted;
    QList<Request> log;
    qint64 throttle = 0;

private:
    void serve(QTcpSocket *socket)
    {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            QByteArray &head = m_heads[socket];
            head += socket->readAll();
            if (!head.contains("\r\n\r\n"))
                return;
            const QByteArray request = std::exchange(head, {});
            m_heads.remove(socket);
            answer(socket, request);
        });
    }

    void answer(QTcpSocket *socket, const QByteArray &head)
    {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        const QByteArray target = requestLine.value(1);
        Request request;
        request.path = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
        request.query = target.mid(request.path.size() + 1);
        for (const QByteArray &line : lines) {
            if (line.toLower().startsWith("range:"))
                request.range = line.mid(6).trimmed();
            if (line.toLower().startsWith("if-range:"))
                request.ifRange = line.mid(9).trimmed();
            if (line.toLower().startsWith("authorization:"))
                request.authorization = line.mid(14).trimmed();
        }
        request.elapsedMs = m_clock.elapsed();
        Behaviour behaviour;
        qint64 bytesPerSecond = 0;
        {
            const QMutexLocker lock(&mutex);
            if (!scripted.isEmpty())
                behaviour = scripted.takeFirst();
            bytesPerSecond = throttle;
        }
        QFile file(QDir(m_rootDir).filePath(QString::fromUtf8(request.path.mid(request.path.lastIndexOf('/') + 1))));
        QByteArray body;
        QByteArray headers;
        if (behaviour.answer == Answer::Redirect) {
            request.status = 302;
            headers += "Location: " + behaviour.location + "\r\n";
        } else if (behaviour.answer == Answer::Status) {
            request.status = behaviour.status;
            body = R"({"error":{"code":"scripted","message":"scripted failure"}})"_ba;
            if (!behaviour.retryAfter.isEmpty())
                headers += "Retry-After: " + behaviour.retryAfter + "\r\n";
        } else if (!request.path.startsWith("/media/") || !file.open(QIODevice::ReadOnly)) {
            request.status = 404;
        } else {
            const QByteArray content = file.readAll();
            const qint64 size = content.size();
            qint64 first = 0;
            qint64 last = size - 1;
            const bool ranged = request.range.startsWith("bytes=") && behaviour.answer != Answer::IgnoreRange;
            if (ranged) {
                const QList<QByteArray> bounds = request.range.mid(6).split('-');
                first = bounds.value(0).toLongLong();
                if (!bounds.value(1).isEmpty())
                    last = std::min(bounds.value(1).toLongLong(), size - 1);
            }
            if (behaviour.answer == Answer::RangeNotSatisfiable || (ranged && first >= size)) {
                request.status = 416;
                headers += "Content-Range: bytes */" + QByteArray::number(size) + "\r\n";
            } else {
                request.status = ranged ? 206 : 200;
                body = content.mid(first, last - first + 1);
                if (!behaviour.etag.isEmpty())
                    headers += "ETag: " + behaviour.etag + "\r\n";
                if (!behaviour.lastModified.isEmpty()) {
                    const QByteArray now = QLocale::c()
                                               .toString(QDateTime::currentDateTimeUtc(), u"ddd, dd MMM yyyy HH:mm:ss"_s)
                                               .toLatin1()
                        + " GMT";
                    headers += "Date: " + now + "\r\nLast-Modified: "
                        + (behaviour.lastModified == "now" ? now : behaviour.lastModified) + "\r\n";
                }
                if (ranged) {
                    const qint64 claimed = behaviour.answer == Answer::WrongContentRange ? first + kPiece : first;
                    headers += "Content-Range: bytes " + QByteArray::number(claimed) + '-' + QByteArray::number(last)
                        + '/' + QByteArray::number(size) + "\r\n";
                }
            }
        }
        {
            const QMutexLocker lock(&mutex);
            log.append(request);
        }
        const qint64 announced = body.size();
        if (behaviour.answer == Answer::CutShort)
            body.truncate(behaviour.cutAfter);
        socket->write("HTTP/1.1 " + QByteArray::number(request.status) + " Scripted\r\nContent-Length: "
                      + QByteArray::number(announced) + "\r\nConnection: close\r\n" + headers + "\r\n");
        if (behaviour.answer == Answer::Silent)
            return; // until the client gives up and closes
        send(socket, body, bytesPerSecond);
    }

    // Sends body, throttled when asked, then closes the connection.
    void send(QTcpSocket *socket, QByteArray body, qint64 bytesPerSecond)
    {
        if (bytesPerSecond <= 0) {
            socket->write(body);
            socket->disconnectFromHost();
            return;
        }
        // Ten pieces a second at slow rates, so that a trickle is steady rather than bursts.
        const qint64 piece = std::clamp<qint64>(bytesPerSecond / 10, 1, kPiece);
        auto *timer = new QTimer(socket);
        timer->setInterval(static_cast<int>(std::max<qint64>(1, piece * 1000 / bytesPerSecond)));
        auto offset = std::make_shared<qint64>(0);
        QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, body, offset, piece] {
            if (socket->state() != QAbstractSocket::ConnectedState) {
                timer->stop();
                return;
            }
            socket->write(body.mid(*offset, piece));
            *offset += piece;
            if (*offset >= body.size()) {
                timer->stop();
                socket->disconnectFromHost();
            }
        });
        timer->start();
    }

    QString m_rootDir;
    QTcpServer *m_server = nullptr;
    QHash<QTcpSocket *, QByteArray> m_heads;
    QElapsedTimer m_clock;
};

HostileMediaServer::HostileMediaServer(QString rootDir)
    : m_worker(std::make_unique<Worker>(std::move(rootDir)))
{
}

HostileMediaServer::~HostileMediaServer()
{
    if (m_thread.isRunning()) {
        // The worker and its sockets belong to the server's thread: they go there.
        QMetaObject::invokeMethod(m_worker.get(), [this] { delete m_worker.release(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

bool HostileMediaServer::start()
{
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker.get(), [this] { m_port = m_worker->listen(); }, Qt::BlockingQueuedConnection);
    return m_port != 0;
}

QUrl HostileMediaServer::url(const QString &file, const QString &query) const
{
    QUrl url(u"http://127.0.0.1:%1/media/%2"_s.arg(m_port).arg(file));
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

void HostileMediaServer::script(const QList<Behaviour> &behaviours)
{
    const QMutexLocker lock(&m_worker->mutex);
    m_worker->scripted = behaviours;
}

void HostileMediaServer::setThrottle(qint64 bytesPerSecond)
{
    const QMutexLocker lock(&m_worker->mutex);
    m_worker->throttle = bytesPerSecond;
}

QList<HostileMediaServer::Request> HostileMediaServer::requests() const
{
    const QMutexLocker lock(&m_worker->mutex);
    return m_worker->log;
}
