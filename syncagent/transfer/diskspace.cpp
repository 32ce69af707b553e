#include "transfer/diskspace.h"

#include "agentlogging.h"

#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>

#include <cerrno>

namespace earshot {

namespace {
// Below this a failed write is taken for a full disk whatever errno says.
constexpr qint64 kNearlyFullBytes = 1024 * 1024;
constexpr std::chrono::seconds kCheckInterval{2};
} // namespace

qint64 availableBytes(const QString &directory)
{
    const QStorageInfo storage(directory);
    return storage.isValid() ? storage.bytesAvailable() : -1;
}

bool isOutOfSpace(int savedErrno, const QString &directory)
{
#ifdef EDQUOT
    if (savedErrno == EDQUOT)
        return true;
#endif
    if (savedErrno == ENOSPC)
        return true;
    const qint64 available = availableBytes(directory);
    return available >= 0 && available < kNearlyFullBytes;
}

bool DiskReserve::claim()
{
    if (QFileInfo(m_path).size() == kBytes)
        return true;
    QFile file(m_path);
    // Zeros written out, so that the blocks are the reserve's and not promised to anyone.
    const QByteArray block(64 * 1024, '\0');
    bool written = file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    for (qint64 size = 0; written && size < kBytes; size += block.size())
        written = file.write(block) == block.size();
    written = written && file.flush();
    file.close();
    if (!written) {
        QFile::remove(m_path);
        qCInfo(lcTransfer) << "no room for the disk reserve" << m_path;
    }
    return written;
}

void DiskReserve::release()
{
    if (QFile::remove(m_path))
        qCInfo(lcTransfer) << "released the disk reserve so that the store can record what happened";
}

DiskSpaceWatch::DiskSpaceWatch(QString directory, QObject *parent)
    : QObject(parent)
    , m_directory(std::move(directory))
{
    m_timer.setInterval(kCheckInterval);
    connect(&m_timer, &QTimer::timeout, this, &DiskSpaceWatch::check);
}

void DiskSpaceWatch::waitFor(qint64 neededBytes)
{
    m_neededBytes = neededBytes;
    m_timer.start();
}

void DiskSpaceWatch::check()
{
    const qint64 available = availableBytes(m_directory);
    if (available < m_neededBytes)
        return;
    qCInfo(lcTransfer) << "disk space returned:" << available / (1024 * 1024) << "MB free in" << m_directory;
    m_timer.stop();
    Q_EMIT spaceAvailable();
}

} // namespace earshot
