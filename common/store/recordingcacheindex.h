#pragma once

#include "domain/call.h"
#include "expected.h"

#include <QSqlDatabase>

namespace earshot {

// A recording the agent should fetch next.
struct DownloadCandidate
{
    QString recordingId;
    QString callId;
    QString format;
    qint64 sizeBytes = 0;
    QString sha256;
    int attempts = 0;
};

// The store's record of which recordings are in the local cache. Only markPresent()
// ever says "present", and only for the content the row still describes.
//
// recordings.cache_file is a bare file name inside DataDirectory::cacheDirectory(),
// chosen by the agent (never derived from a server identifier). The cache folder is
// the agent's: other processes read files there but never create or delete them.
class RecordingCacheIndex
{
public:
    explicit RecordingCacheIndex(QSqlDatabase db) : m_db(std::move(db)) {}

    // Available on the server, not cached, not backing off; newest calls first.
    Expected<QList<DownloadCandidate>> dueDownloads(qint64 nowMs, int limit) const;

    // False when the row changed or vanished meanwhile: the file is then an orphan.
    Expected<bool> markPresent(const DownloadCandidate &candidate, const QString &cacheFile, qint64 bytes);
    Status markAttemptFailed(const QString &recordingId, const QString &error, qint64 nextAttemptAtMs);
    Status markServerStatus(const QString &recordingId, RecordingStatus status, const QString &reason);

    // Every cache file the store refers to (for reconciling the cache folder).
    QStringList referencedCacheFiles() const;

private:
    QSqlDatabase m_db;
};

} // namespace earshot
