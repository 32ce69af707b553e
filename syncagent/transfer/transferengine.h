#pragma once

#include "transfer/curlmultiloop.h"
#include "transfer/diskspace.h"
#include "transfer/recordingjob.h"
#include "transfer/recordinglinks.h"
#include "transfer/transferledger.h"
#include "transfer/transferoptions.h"

#include <QHash>
#include <QSet>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <deque>
#include <memory>

namespace earshot {

// A download under way, as the control socket reports it.
struct TransferSnapshot
{
    QString recordingId;
    qint64 sizeBytes = 0;
    qint64 bytesDone = 0;     // from the start of the recording, as far as known
    qint64 bytesReceived = 0; // by the requests now running, for the transfer rate
    bool forPlayer = false;   // the player asked for part of it (fetch_first)
};

// Downloads recordings into the encrypted cache. A job per recording: a signed link from
// the server (refreshed ahead of expiry and whenever the media server refuses it), the
// partial cache file (resumed from what an earlier run left), one or more ranged
// requests on the shared transfer thread, then verify (size, SHA-256), fsync, rename and
// mark present. Transient trouble is retried with backoff within the pass; a recording
// that keeps failing is put off in the store ("failed" after several passes) instead of
// being retried in a loop. A full disk pauses everything until space returns.
//
// Lives on the agent's thread and outlives passes, so that the player's range requests
// (fetchRangeFirst) are served between passes too.
class TransferEngine : public QObject
{
    Q_OBJECT

public:
    TransferEngine(TransferOptions options, QByteArray cacheKey, QString cacheDirectory, QSqlDatabase store,
                   RecordingLinks &links, QObject *parent = nullptr);
    ~TransferEngine() override;

    // Starts the transfer thread; fails when libcurl cannot.
    Status start();

    // Queues the recordings that are due, a window of the newest at a time (the cache
    // policy admits from each); idle() follows when no window holds more to fetch.
    SyncResult<int> queueDue();
    // Fetches [offset, offset + length) of a recording ahead of everything else (whole
    // chunks around it, which count towards its cached copy); rangeReady() follows.
    Status fetchRangeFirst(const QString &recordingId, qint64 offset, qint64 length);
    void setBandwidthLimit(qint64 bytesPerSecond);
    qint64 bandwidthLimit() const { return m_options.bandwidthLimit; }
    int parallel() const { return m_options.parallel; }

    bool isIdle() const;
    // Pausing stops every transfer as stopAll() does (partials kept and recorded) without
    // ending the agent; nothing is lost because the store, not this queue, says what is
    // due. While paused nothing starts: queueDue answers "stopped", fetchRangeFirst fails.
    void pause();
    void resume();
    bool isPaused() const { return m_paused; }
    int waitingCount() const { return static_cast<int>(m_queue.size()); }
    // More recordings are due than the queue holds: the pass queues them window by window.
    bool mayHaveMoreDue() const { return m_nextWindowMayHoldMore; }
    QList<TransferSnapshot> transfersUnderway() const;
    bool isPausedForDiskSpace() const { return m_pausedForSpace; }
    TransferReport takeReport();
    // Files the start-up clean-up must keep.
    QStringList protectedCacheFiles() const { return m_ledger.protectedCacheFiles(); }

    // Cancels everything and waits until the transfer thread and the workers let go;
    // partials are kept and recorded for the next run.
    void stopAll();

Q_SIGNALS:
    void idle();
    // The bytes are in the recording's cache file, whose current name is in the store
    // (the partial's until the download completes, then the final one).
    void rangeReady(const QString &recordingId, qint64 offset, qint64 length);
    // The download ended before those bytes arrived; reason is for the user.
    void rangeFailed(const QString &recordingId, qint64 offset, qint64 length, const QString &reason);
    void recordingCached(const QString &recordingId, const QString &cacheFile);
    void pausedForDiskSpace(const QString &message);
    void diskSpaceReturned();

private:
    // One window of the recordings due, through the cache policy, onto the queue.
    SyncResult<int> queueWindow();
    // The agent asked the engine to stop (TransferOptions::media.stopRequested).
    bool stopRequested() const;
    using JobPointer = std::shared_ptr<RecordingJob>;

    // transferengine.cpp: queue, slots, idle, stop, disk space.
    void schedule();
    // Tells the links which recordings start next, for them to be fetched meanwhile.
    void hintNextLinks();
    int busySlots() const;
    void maybeIdle();
    void checkStopRequest();
    void stopTransfers();
    void pauseForDiskSpace(const JobPointer &job, const QString &detail);
    void resumeAfterDiskSpace();
    void requestFlush();
    void flushLedger();
    void recordProgress();
    void finishJob(const JobPointer &job); // removes it from the engine
    JobPointer jobFor(const QString &recordingId) const;
    bool isCurrent(const JobPointer &job) const;
    void dropQueued();
    void setFatal(const SyncError &error);
    // Runs on this thread; callable from the transfer thread and the workers.
    template <typename Function>
    void post(Function function)
    {
        QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection);
    }

    // transferjobs.cpp: one recording's way through the stages.
    void startJob(const JobPointer &job);
    bool ensureLink(const JobPointer &job, bool refresh);
    bool handleLinkFailure(const JobPointer &job, const SyncError &error);
    bool pollAvailability(const JobPointer &job);
    void openCacheFile(const JobPointer &job);
    void onOpened(const JobPointer &job, const CacheFileOpened &opened);
    void continueJob(const JobPointer &job);
    bool startRangeTransfers(const JobPointer &job);
    bool startTransfer(const JobPointer &job, qint64 first, qint64 end, bool forPlayer);
    void onTransferFinished(const std::shared_ptr<MediaTransfer> &transfer);
    void handleOutcome(const JobPointer &job, const MediaOutcome &outcome);
    void retryLater(const JobPointer &job, const QString &problem, std::optional<std::chrono::seconds> retryAfter);
    void onSinkFailure(const JobPointer &job, CacheFileProblem problem, const QString &message);
    void verifyAndFinish(const JobPointer &job);
    void onVerified(const JobPointer &job, const CacheFileResult &result);
    void failAttempt(const JobPointer &job, const QString &problem, std::optional<qint64> notBeforeMs = {});
    void recordServerStatus(const JobPointer &job, RecordingStatus status, const QString &reason,
                            std::optional<qint64> nextAttemptAtMs);
    void park(const JobPointer &job);
    void startOver(const JobPointer &job);
    // Drops the file once the running requests have ended, and fetches the recording whole.
    void startOverInANewFile(const JobPointer &job, const QString &why);
    // Queues the row's partial state: the file, its contiguous bytes and its validator.
    void recordPartial(const JobPointer &job, qint64 bytes);
    // A running transfer's answer names the version of the file: kept with the partial.
    void adoptValidator(const JobPointer &job, const QByteArray &validator);
    void holdFirstChunkUntilTheVersionIsRecorded(const JobPointer &job, const std::shared_ptr<MediaTransfer> &transfer);
    void deliverReadyRanges(const JobPointer &job);

    TransferOptions m_options;
    const QByteArray m_cacheKey;
    const QString m_cacheDirectory;
    RecordingLinks &m_links;
    TransferLedger m_ledger;
    QThreadPool m_workers;
    std::unique_ptr<CurlMultiLoop> m_loop;
    DiskSpaceWatch m_diskSpace;
    DiskReserve m_reserve;

    QHash<QString, JobPointer> m_jobs; // by recording id
    std::deque<JobPointer> m_queue;
    QHash<const MediaTransfer *, JobPointer> m_transferJobs;
    QStringList m_hintedLinks;
    struct AwaitingCommit
    {
        QString recordingId;
        QString fileName;
        QList<PlayerRange> ranges; // the player's, announced with the row
    };
    QList<AwaitingCommit> m_awaitingCommit;

    TransferReport m_report;
    QString m_pausedMessage;
    bool m_pausedForSpace = false;
    bool m_paused = false;
    bool m_stopping = false;
    bool m_idleAnnounced = true;
    bool m_nextWindowMayHoldMore = false;
    QSet<QString> m_queuedThisPass; // recording ids, so that a pass takes each one once
    QTimer m_flushTimer;
    QTimer m_watchTimer; // stop requests and partial progress, while busy
};

} // namespace earshot
