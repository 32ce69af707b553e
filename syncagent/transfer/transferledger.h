#pragma once

#include "domain/call.h"
#include "expected.h"

#include <QSqlDatabase>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

class QSqlQuery;

namespace earshot {

class WriteTransaction;

// A recording as the transfer engine sees its row.
struct TransferCandidate
{
    QString recordingId;
    QString callId;
    QString format;
    qint64 sizeBytes = 0;
    QString sha256; // "" when the server gave none
    int attempts = 0;
    RecordingStatus status = RecordingStatus::Available;
    CacheState cacheState = CacheState::Absent;
    QString cacheFile; // the partial's name while cacheState is Partial
    QByteArray partialValidator; // the media server's ETag or Last-Modified of the partial's bytes
    qint64 callStartedAtMs = 0; // for the cache policy's order and its room decisions
};

// The engine's reads and writes of the recordings table. Writes are queued and committed
// together by flush(), after one fsync of the cache folder, so that a batch of finished
// downloads costs one folder sync and one commit. This is the only place that says a
// recording is "present", and only for a file already verified, fsynced and renamed.
class TransferLedger
{
public:
    TransferLedger(QSqlDatabase db, QString cacheDirectory);

    // Recordings to fetch now, newest calls first: available ones not backing off, and
    // pending or failed ones whose next try has come (polls and late retries). Reads the
    // newest calls until it has `limit`, so a window costs what it holds, not the store.
    Expected<QList<TransferCandidate>> due(qint64 nowMs, int limit) const;
    // Those of these recordings that are due now, in no particular order.
    Expected<QList<TransferCandidate>> dueAmong(qint64 nowMs, const QStringList &recordingIds) const;
    Expected<std::optional<TransferCandidate>> candidate(const QString &recordingId) const;
    // Files the start-up clean-up must keep: every referenced file, and for a partial also
    // its final name (a crash between rename and commit leaves that one).
    QStringList protectedCacheFiles() const;

    void recordPresent(const TransferCandidate &recording, const QString &fileName);
    void recordPartial(const TransferCandidate &recording, const QString &partialName, qint64 cachedBytes,
                       const QByteArray &validator);
    void forgetPartial(const QString &recordingId, const QString &partialName);
    void recordAttemptFailure(const QString &recordingId, const QString &error, qint64 nextAttemptAtMs, bool giveUp);
    // What the server said about availability; nextAttemptAtMs for a pending poll.
    void recordServerStatus(const QString &recordingId, RecordingStatus status, const QString &reason,
                            std::optional<qint64> nextAttemptAtMs);

    // The cache policy's deletion of a present copy (quota, retention, a damaged or missing
    // file), inside the caller's transaction so that its audit event commits with it. False
    // when the row no longer names that file as present: nothing was changed.
    Expected<bool> recordRemovedWithin(const WriteTransaction &transaction, const QString &recordingId,
                                       const QString &fileName) const;

    bool hasPendingWrites() const { return !m_pending.empty(); }

    struct Flushed
    {
        Status status = Status::ok();
        bool diskFull = false;
        // Rows that changed or vanished while their file was made (the server replaced
        // the recording): a finished file is deleted here, a partial's download must stop.
        QStringList supersededDownloads;
        QStringList supersededPartials;
        QStringList orphanedFiles;
    };
    // Commits every queued write in one transaction; on failure they stay queued.
    Flushed flush();

private:
    using Write = std::function<Status(Flushed &)>;
    Status run(QSqlQuery &query) const;

    QSqlDatabase m_db;
    QString m_cacheDirectory;
    std::vector<Write> m_pending;
    bool m_needsFolderSync = false;
};

} // namespace earshot
