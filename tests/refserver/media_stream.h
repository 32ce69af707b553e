// Sends part of a file as a response body without loading it into memory: reads 64 KiB at
// a time and refills only when the socket's write buffer has drained, so a 200 MiB
// recording costs a few hundred KiB of RAM. Optionally closes the connection after a
// given number of body bytes (the --drop-body-after fault). Lives as a child of the
// socket, so it dies with the connection.
#pragma once

#include <QtCore/QFile>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtNetwork/QTcpSocket>

#include <functional>

namespace earshot::refserver {

class MediaStream : public QObject
{
    Q_OBJECT

public:
    // Takes an open file; sends [offset, offset + length). dropAfter < 0: never drop.
    // onBytes reports every chunk handed to the socket; onDone runs when the whole range
    // was queued (not when dropped).
    MediaStream(QTcpSocket *socket, std::unique_ptr<QFile> file, qint64 offset, qint64 length,
                qint64 dropAfter, std::function<void(qint64)> onBytes, std::function<void()> onDone);

    void start();

private:
    void pump();

    QPointer<QTcpSocket> m_socket;
    std::unique_ptr<QFile> m_file;
    qint64 m_remaining;
    qint64 m_dropBudget;
    std::function<void(qint64)> m_onBytes;
    std::function<void()> m_onDone;
    bool m_finished = false;
};

} // namespace earshot::refserver
