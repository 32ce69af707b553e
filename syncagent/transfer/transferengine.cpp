#include "transfer/transferengine.h"

#include "agentlogging.h"
#include "sync/cachefolder.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QThread>

#include <climits>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr std::chrono::milliseconds kFlushDelay{50};
constexpr std::chrono::milliseconds kWatchInterval{250};
// A partial's cached_bytes is brought up to date this often, for the app to show progress.
constexpr qint64 kRecordPartialEveryBytes = 32 * 1024 * 1024;
// Downloads resume once this much is free, or what the waiting recordings need if less.
constexpr qint64 kResumeFreeBytes = 16 * 1024 * 1024;
constexpr qint64 kMegabyte = 1024 * 1024;

} // namespace

TransferEngine::TransferEngine(TransferOptions options, QByteArray cacheKey, QString cacheDirectory,
                               QSqlDatabase store, RecordingLinks &links, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_cacheKey(std::move(cacheKey))
    , m_cacheDirectory(std::move(cacheDirectory))
    , m_links(links)
    , m_ledger(std::move(store), m_cacheDirectory)
    , m_diskSpace(m_cacheDirectory)
    // Beside the cache folder, in the data folder with the store: same disk, and nothing
    // in the cache folder but recordings.
    , m_reserve(QFileInfo(m_cacheDirectory).dir().filePath(u"earshot-disk-reserve"_s))
{
    m_options.parallel = std::clamp(m_options.parallel, 1, TransferOptions::kMaxParallel);
    // Hashing keeps the cores busy (sealing and writing run on the transfer thread); fsync
    // and read-back block. Up to one file per transfer is busy at a time, plus one that is
    // being finished.
    m_workers.setMaxThreadCount(std::max(QThread::idealThreadCount(), m_options.parallel + 2));
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushDelay);
    connect(&m_flushTimer, &QTimer::timeout, this, &TransferEngine::flushLedger);
    m_watchTimer.setInterval(kWatchInterval);
    connect(&m_watchTimer, &QTimer::timeout, this, [this] {
        checkStopRequest();
        recordProgress();
    });
    connect(&m_diskSpace, &DiskSpaceWatch::spaceAvailable, this, &TransferEngine::resumeAfterDiskSpace);
}

TransferEngine::~TransferEngine()
{
    stopAll();
    m_workers.waitForDone();
    m_loop.reset();
}

Status TransferEngine::start()
{
    m_loop = std::make_unique<CurlMultiLoop>([this](std::shared_ptr<MediaTransfer> transfer) {
        post([this, transfer = std::move(transfer)] { onTransferFinished(transfer); });
    });
    if (!m_loop->start())
        return Status::failure(u"libcurl could not start the transfer thread"_s);
    m_loop->setBandwidthLimit(m_options.bandwidthLimit);
    m_reserve.claim();
    qCInfo(lcTransfer).noquote() << "transfers:" << m_options.parallel << "at once,"
                                 << (m_options.bandwidthLimit > 0
                                         ? u"at most %1 bytes/s together"_s.arg(m_options.bandwidthLimit)
                                         : u"no bandwidth limit"_s);
    return Status::ok();
}

SyncResult<int> TransferEngine::queueDue()
{
    if (m_pausedForSpace) {
        if (availableBytes(m_cacheDirectory) < kResumeFreeBytes + DiskReserve::kBytes)
            return SyncError::diskFull(m_pausedMessage);
        resumeAfterDiskSpace();
    }
    if (m_paused || stopRequested())
        return SyncError::stopped();
    m_stopping = false;
    // A pass starts afresh: a failure between passes (a player's request while the server
    // was away) was told to the player, and must not fail this pass nor hold its queue.
    m_report.fatal.reset();
    m_queuedThisPass.clear();
    return queueWindow();
}

SyncResult<int> TransferEngine::queueWindow()
{
    // Those queued earlier in the pass may be due again (a failure's short backoff): they
    // are read past, not let fill the window and hide the older ones.
    const int window = std::max(1, m_options.dueWindow);
    const auto limit = static_cast<int>(std::min<qsizetype>(window + m_queuedThisPass.size(), INT_MAX));
    auto due = m_ledger.due(QDateTime::currentMSecsSinceEpoch(), limit);
    if (!due)
        return SyncError::localStore(u"Cannot read the recordings to download from the local store: "_s + due.error());
    const bool windowFull = due->size() >= limit;
    due->removeIf([this](const TransferCandidate &candidate) { return m_queuedThisPass.contains(candidate.recordingId); });
    if (m_options.admitDue)
        *due = m_options.admitDue(std::move(*due), m_ledger);
    int added = 0;
    for (const TransferCandidate &candidate : std::as_const(*due)) {
        // Once a pass: what failed or did not fit does not come back within it.
        if (m_jobs.contains(candidate.recordingId) || m_queuedThisPass.contains(candidate.recordingId))
            continue;
        m_queuedThisPass.insert(candidate.recordingId);
        auto job = std::make_shared<RecordingJob>(candidate);
        m_jobs.insert(candidate.recordingId, job);
        m_queue.push_back(std::move(job));
        ++added;
    }
    // The next window is worth a look only if this one had more than it took in.
    m_nextWindowMayHoldMore = windowFull && added > 0;
    m_report.queued += added;
    qCInfo(lcTransfer) << "downloads:" << added << "recordings due";
    if (!m_jobs.isEmpty()) {
        m_idleAnnounced = false;
        m_watchTimer.start();
    }
    schedule();
    return added;
}

Status TransferEngine::fetchRangeFirst(const QString &recordingId, qint64 offset, qint64 length)
{
    if (offset < 0 || length <= 0)
        return Status::failure(u"the range to fetch first is empty or starts before the recording"_s);
    if (m_paused)
        return Status::failure(u"downloads are paused; resume them first"_s);
    JobPointer job = jobFor(recordingId);
    if (!job) {
        auto found = m_ledger.candidate(recordingId);
        if (!found)
            return Status::failure(u"cannot read the local store: "_s + found.error());
        if (!found->has_value())
            return Status::failure(u"there is no recording %1 in the local store"_s.arg(recordingId));
        const TransferCandidate &candidate = **found;
        if (candidate.cacheState == CacheState::Present) {
            post([this, recordingId, offset, length] { Q_EMIT rangeReady(recordingId, offset, length); });
            return Status::ok();
        }
        if (candidate.status != RecordingStatus::Available)
            return Status::failure(u"the recording is %1 on the server; it cannot be fetched now"_s.arg(
                toString(candidate.status)));
        if (m_pausedForSpace)
            return Status::failure(m_pausedMessage);
        job = std::make_shared<RecordingJob>(candidate);
        m_jobs.insert(recordingId, job);
        m_idleAnnounced = false;
        m_watchTimer.start();
    }
    qCInfo(lcTransfer) << "the player wants bytes" << offset << "to" << offset + length << "of recording"
                       << recordingId << "first";
    job->priority = true;
    job->ranges.append({offset, offset + length});
    switch (job->stage) {
    case RecordingJob::Stage::Queued:
    case RecordingJob::Stage::Waiting:
        std::erase(m_queue, job);
        m_queue.push_front(job);
        schedule();
        break;
    case RecordingJob::Stage::Transferring:
        // The player opens the partial by the name in the store: a small download that
        // started in the background was not recorded yet (openCacheFile records the
        // player's own and large ones).
        if (!job->partialRecorded) {
            recordPartial(job, job->contiguousBytes());
            flushLedger();
        }
        continueJob(job);
        break;
    case RecordingJob::Stage::Opening:   // continueJob follows the opening
    case RecordingJob::Stage::Finishing: // announced with the row that says "present"
        break;
    }
    return Status::ok();
}

void TransferEngine::setBandwidthLimit(qint64 bytesPerSecond)
{
    m_options.bandwidthLimit = std::max<qint64>(0, bytesPerSecond);
    if (m_loop)
        m_loop->setBandwidthLimit(m_options.bandwidthLimit);
}

bool TransferEngine::isIdle() const
{
    return m_jobs.isEmpty();
}

void TransferEngine::pause()
{
    if (m_paused)
        return;
    m_paused = true;
    qCInfo(lcTransfer) << "downloads paused";
    stopTransfers();
}

void TransferEngine::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    m_stopping = false;
    // The pause's "stopped" belongs to the pass it cut short, not to the next one.
    if (m_report.fatal && m_report.fatal->kind == SyncError::Kind::Stopped)
        m_report.fatal.reset();
    qCInfo(lcTransfer) << "downloads resumed";
}

QList<TransferSnapshot> TransferEngine::transfersUnderway() const
{
    QList<TransferSnapshot> underway;
    for (const JobPointer &job : m_jobs) {
        if (job->stage == RecordingJob::Stage::Queued)
            continue;
        TransferSnapshot snapshot;
        snapshot.recordingId = job->recording.recordingId;
        snapshot.sizeBytes = job->recording.sizeBytes;
        snapshot.bytesDone = job->chunkSize > 0 ? job->contiguousBytes() : 0;
        snapshot.forPlayer = job->priority;
        for (const auto &transfer : {job->mainTransfer, job->rangeTransfer}) {
            if (!transfer)
                continue;
            snapshot.bytesReceived += std::max<qint64>(0, transfer->receivedUpTo() - transfer->span().first);
            if (transfer == job->mainTransfer)
                snapshot.bytesDone = std::max(snapshot.bytesDone, transfer->receivedUpTo());
        }
        underway.append(snapshot);
    }
    return underway;
}

TransferReport TransferEngine::takeReport()
{
    return std::exchange(m_report, TransferReport());
}

TransferEngine::JobPointer TransferEngine::jobFor(const QString &recordingId) const
{
    return m_jobs.value(recordingId);
}

bool TransferEngine::isCurrent(const JobPointer &job) const
{
    return job && m_jobs.value(job->recording.recordingId) == job;
}

int TransferEngine::busySlots() const
{
    int busy = 0;
    for (const JobPointer &job : m_jobs) {
        if (job->stage == RecordingJob::Stage::Opening || job->stage == RecordingJob::Stage::Transferring)
            ++busy;
    }
    return busy;
}

void TransferEngine::schedule()
{
    while (!m_queue.empty() && !m_stopping && !m_pausedForSpace) {
        const JobPointer job = m_queue.front();
        // A fatal error ends the pass's downloads, not what the player asks for now: the
        // server may well be back.
        if (m_report.fatal && !job->priority)
            break;
        // The player's ranges go ahead of everything, even past the limit.
        if (!job->priority && busySlots() >= m_options.parallel)
            break;
        m_queue.pop_front();
        startJob(job);
    }
    hintNextLinks();
    maybeIdle();
}

void TransferEngine::hintNextLinks()
{
    // Enough to cover the slots that free up while one link is on its way, and few
    // enough that a link rarely ages in the queue or is fetched for nothing at a stop.
    const qsizetype wanted = 2 * static_cast<qsizetype>(m_options.parallel);
    QStringList callIds;
    if (!m_stopping && !m_pausedForSpace && !m_report.fatal) {
        for (const JobPointer &job : m_queue) {
            if (callIds.size() >= wanted)
                break;
            const TransferCandidate &recording = job->recording;
            if (!job->sink && !job->hadLink && recording.status == RecordingStatus::Available
                && CacheFolder::isKnownFormat(recording.format))
                callIds.append(recording.callId);
        }
    }
    if (callIds != m_hintedLinks) {
        m_hintedLinks = callIds;
        m_links.prefetch(callIds);
    }
}

bool TransferEngine::stopRequested() const
{
    return m_options.media.stopRequested && m_options.media.stopRequested->load();
}

void TransferEngine::maybeIdle()
{
    if (!m_jobs.isEmpty())
        return;
    if (m_ledger.hasPendingWrites())
        flushLedger();
    if (!m_jobs.isEmpty() || m_idleAnnounced)
        return;
    // The pass goes on with the next window while the last one's downloads are now in.
    if (std::exchange(m_nextWindowMayHoldMore, false) && !m_paused && !m_pausedForSpace && !m_stopping
        && !m_report.fatal && !stopRequested()) {
        if (auto queued = queueWindow(); !queued)
            m_report.fatal = queued.error();
        // Queued work, or a window that ended at once and announced idle itself.
        if (!m_jobs.isEmpty() || m_idleAnnounced)
            return;
    }
    m_watchTimer.stop();
    m_idleAnnounced = true;
    Q_EMIT idle();
}

void TransferEngine::finishJob(const JobPointer &job)
{
    if (!isCurrent(job))
        return;
    m_jobs.remove(job->recording.recordingId);
    std::erase(m_queue, job);
    schedule();
}

void TransferEngine::dropQueued()
{
    const std::deque<JobPointer> queued = std::exchange(m_queue, {});
    for (const JobPointer &job : queued) {
        if (job->sink)
            park(job); // back from a retry wait, with a file open
        else
            m_jobs.remove(job->recording.recordingId);
    }
}

void TransferEngine::setFatal(const SyncError &error)
{
    if (!m_report.fatal)
        m_report.fatal = error;
    dropQueued();
}

void TransferEngine::checkStopRequest()
{
    if (!m_stopping && stopRequested())
        stopTransfers();
}

void TransferEngine::stopTransfers()
{
    if (m_jobs.isEmpty())
        return;
    m_stopping = true;
    qCInfo(lcTransfer) << "stopping" << m_jobs.size() << "downloads; partial files are kept for the next run";
    setFatal(SyncError::stopped());
    const QList<JobPointer> jobs = m_jobs.values();
    for (const JobPointer &job : jobs)
        park(job);
    if (m_loop)
        m_loop->wake();
    maybeIdle();
}

void TransferEngine::pauseForDiskSpace(const JobPointer &job, const QString &detail)
{
    const bool first = !m_pausedForSpace;
    if (first) {
        m_pausedForSpace = true;
        // Before the reserve goes: the other downloads' next chunks would fill its room
        // again before the store could commit what happened.
        for (const JobPointer &other : std::as_const(m_jobs)) {
            if (other->sink)
                other->sink->holdWrites();
        }
        m_reserve.release();
        qint64 needed = 0;
        for (const JobPointer &waiting : std::as_const(m_jobs))
            needed += waiting->chunkSize > 0 ? waiting->missingBytes() : waiting->recording.sizeBytes;
        const qint64 available = std::max<qint64>(0, availableBytes(m_cacheDirectory) - DiskReserve::kBytes);
        m_pausedMessage = u"The disk holding the Earshot cache (%1) is full: %2 MB free, and the recordings waiting "
                          "need about %3 MB more. Free some space; downloads resume automatically."_s
                              .arg(m_cacheDirectory)
                              .arg(available / kMegabyte)
                              .arg((needed + kMegabyte - 1) / kMegabyte);
        qCWarning(lcTransfer).noquote() << m_pausedMessage << u"(%1)"_s.arg(detail);
        setFatal(SyncError::diskFull(m_pausedMessage));
        m_diskSpace.waitFor(std::min(kResumeFreeBytes, needed + kMegabyte) + DiskReserve::kBytes);
        Q_EMIT pausedForDiskSpace(m_pausedMessage);
    }
    const QList<JobPointer> jobs = m_jobs.values();
    for (const JobPointer &waiting : jobs)
        waiting->lastProblem = m_pausedMessage;
    if (job)
        park(job);
    for (const JobPointer &other : jobs)
        park(other);
    if (m_loop)
        m_loop->wake();
    // While the reserve's room is free: what completed and what to resume goes in now.
    if (first && m_ledger.hasPendingWrites())
        flushLedger();
}

void TransferEngine::resumeAfterDiskSpace()
{
    if (!m_pausedForSpace)
        return;
    m_pausedForSpace = false;
    m_pausedMessage.clear();
    m_diskSpace.cancel();
    m_reserve.claim();
    Q_EMIT diskSpaceReturned();
}

void TransferEngine::requestFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void TransferEngine::flushLedger()
{
    m_flushTimer.stop();
    TransferLedger::Flushed flushed = m_ledger.flush();
    if (!flushed.status) {
        qCWarning(lcTransfer).noquote() << flushed.status.error();
        if (flushed.diskFull)
            pauseForDiskSpace(nullptr, flushed.status.error());
        else
            setFatal(SyncError::localStore(flushed.status.error()));
        return;
    }
    for (const QString &recordingId : flushed.supersededDownloads + flushed.supersededPartials)
        qCInfo(lcTransfer) << "recording" << recordingId << "changed on the server while downloading; its file is dropped";
    for (const QString &recordingId : std::as_const(flushed.supersededPartials)) {
        if (const JobPointer job = jobFor(recordingId)) {
            job->discardFile = true;
            park(job);
        }
    }
    const QList<AwaitingCommit> committed = std::exchange(m_awaitingCommit, {});
    for (const AwaitingCommit &done : committed) {
        if (flushed.supersededDownloads.contains(done.recordingId))
            continue;
        Q_EMIT recordingCached(done.recordingId, done.fileName);
        for (const PlayerRange &range : done.ranges)
            Q_EMIT rangeReady(done.recordingId, range.offset, range.end - range.offset);
    }
}

void TransferEngine::recordProgress()
{
    for (const JobPointer &job : std::as_const(m_jobs)) {
        if (job->stage != RecordingJob::Stage::Transferring || !job->mainTransfer || job->ending)
            continue;
        adoptValidator(job, job->mainTransfer->validator());
        const qint64 progress = std::max(job->contiguousBytes(), job->mainTransfer->receivedUpTo());
        const qint64 threshold = job->partialRecorded ? job->recordedBytes + kRecordPartialEveryBytes
                                                      : RecordingJob::kWorthResumingBytes;
        if (progress < threshold)
            continue;
        recordPartial(job, progress);
        requestFlush();
    }
}

void TransferEngine::recordPartial(const JobPointer &job, qint64 bytes)
{
    m_ledger.recordPartial(job->recording, job->partialName, bytes, job->validator);
    job->partialRecorded = true;
    job->recordedBytes = bytes;
}

void TransferEngine::adoptValidator(const JobPointer &job, const QByteArray &validator)
{
    // Once the file holds chunks, their version is the job's; another one is refused where
    // it is seen (If-Range, or onTransferFinished), not adopted.
    if (validator.isEmpty() || validator == job->validator || (!job->validator.isEmpty() && job->hasAnyChunk()))
        return;
    job->validator = validator;
    // Into the store at the next flush. A new partial's first chunk waits for that
    // (holdFirstChunkUntilTheVersionIsRecorded), so none is on disk without its version.
    if (job->partialRecorded) {
        recordPartial(job, job->recordedBytes);
        requestFlush();
    }
}

void TransferEngine::stopAll()
{
    if (!m_loop)
        return;
    if (!m_jobs.isEmpty()) {
        stopTransfers();
        // Completions are queued for this thread: collect them here until every job let go.
        QDeadlineTimer deadline(std::chrono::seconds(30));
        while (!m_jobs.isEmpty() && !deadline.hasExpired()) {
            m_loop->wake();
            m_workers.waitForDone(20);
            QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
        }
        if (!m_jobs.isEmpty())
            qCWarning(lcTransfer) << m_jobs.size() << "downloads did not stop in time";
    }
    m_workers.waitForDone();
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    if (m_ledger.hasPendingWrites())
        flushLedger();
}

} // namespace earshot
