#include "media_stream.h"

#include "logging.h"

namespace earshot::refserver {

namespace {

constexpr qint64 ChunkBytes = 64 * 1024;
constexpr qint64 HighWaterBytes = 512 * 1024; // refill the socket below this

} // namespace

MediaStream::MediaStream(QTcpSocket *socket, std::unique_ptr<QFile> file, qint64 offset, qint64 length,
                         qint64 dropAfter, std::function<void(qint64)> onBytes, std::function<void()> onDone)
    : QObject(socket),
      m_socket(socket),
      m_file(std::move(file)),
      m_remaining(length),
      m_dropBudget(dropAfter),
      m_onBytes(std::move(onBytes)),
      m_onDone(std::move(onDone))
{
    m_file->seek(offset);
    connect(socket, &QTcpSocket::bytesWritten, this, &MediaStream::pump);
    connect(socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
}

void MediaStream::start()
{
    pump();
}

void MediaStream::pump()
{
    if (m_finished || !m_socket)
        return;
    while (m_remaining > 0 && m_socket->bytesToWrite() < HighWaterBytes) {
        qint64 want = std::min(ChunkBytes, m_remaining);
        if (m_dropBudget >= 0)
            want = std::min(want, m_dropBudget);
        if (want == 0)
            break;
        const QByteArray chunk = m_file->read(want);
        if (chunk.isEmpty()) {
            qCWarning(lcRefServer) << "short read from" << m_file->fileName() << m_file->errorString();
            m_socket->abort(); // the promised Content-Length can no longer be met
            m_finished = true;
            deleteLater();
            return;
        }
        m_socket->write(chunk);
        m_remaining -= chunk.size();
        if (m_dropBudget >= 0)
            m_dropBudget -= chunk.size();
        m_onBytes(chunk.size());
    }
    if (m_remaining > 0 && m_dropBudget == 0) {
        // Everything queued so far still goes out; then the connection ends mid-body.
        qCDebug(lcRefServer) << "dropping the connection with" << m_remaining << "body bytes unsent";
        m_finished = true;
        m_socket->disconnectFromHost();
        deleteLater();
        return;
    }
    if (m_remaining == 0) {
        m_finished = true;
        m_onDone();
        deleteLater();
    }
}

} // namespace earshot::refserver
