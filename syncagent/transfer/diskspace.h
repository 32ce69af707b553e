#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

namespace earshot {

// True when a failed write or fsync ran out of room: the errno says so (ENOSPC, EDQUOT),
// or the disk holding `directory` has next to nothing left (the errno of a Qt file
// operation is not always still at hand when its failure is noticed).
bool isOutOfSpace(int savedErrno, const QString &directory);

// Free bytes for an unprivileged writer on the disk holding `directory`; -1 when unknown.
qint64 availableBytes(const QString &directory);

// Room set aside on the disk of the store and the cache, given back when the disk fills
// up: SQLite needs space to commit, and at that moment the store must still record the
// downloads that completed, the partials to resume and the error for the user.
class DiskReserve
{
public:
    static constexpr qint64 kBytes = 2 * 1024 * 1024;

    explicit DiskReserve(QString path) : m_path(std::move(path)) {}

    // Creates the reserve (really allocated, not sparse) unless it exists; false when
    // there is no room for it.
    bool claim();
    void release();

private:
    QString m_path;
};

// While downloads wait for disk space: checks the cache's disk every few seconds and
// emits spaceAvailable() once at least `neededBytes` are free again.
class DiskSpaceWatch : public QObject
{
    Q_OBJECT

public:
    explicit DiskSpaceWatch(QString directory, QObject *parent = nullptr);

    void waitFor(qint64 neededBytes);
    void cancel() { m_timer.stop(); }
    bool isWaiting() const { return m_timer.isActive(); }

Q_SIGNALS:
    void spaceAvailable();

private:
    void check();

    QString m_directory;
    qint64 m_neededBytes = 0;
    QTimer m_timer;
};

} // namespace earshot
