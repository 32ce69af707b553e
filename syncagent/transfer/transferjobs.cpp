// A recording's job from its start to its end: availability and link, the cache file,
// and how a job ends (a failed attempt, a server status, parked for later).
#include "transfer/transferengine.h"

#include "agentlogging.h"
#include "sync/cachefolder.h"
#include "transfer/transferbackoff.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;
using namespace std::chrono;

namespace earshot {

using namespace transferbackoff;

void TransferEngine::startJob(const JobPointer &job)
{
    if (job->sink) { // back from a retry wait: the cache file is open
        continueJob(job);
        return;
    }
    const TransferCandidate &recording = job->recording;
    if (!CacheFolder::isKnownFormat(recording.format))
        return recordServerStatus(job, RecordingStatus::Unavailable,
                                  u"the format \"%1\" is not one Earshot can store"_s.arg(recording.format.left(20)), {});
    if (recording.status == RecordingStatus::Pending && !pollAvailability(job))
        return;
    if (!ensureLink(job, false))
        return;
    openCacheFile(job);
}

bool TransferEngine::pollAvailability(const JobPointer &job)
{
    auto availability = m_links.availability(job->recording.callId);
    if (!availability)
        return handleLinkFailure(job, availability.error());
    switch (availability->status) {
    case RecordingStatus::Available:
        job->recording.status = RecordingStatus::Available;
        m_ledger.recordServerStatus(job->recording.recordingId, RecordingStatus::Available, {}, std::nullopt);
        return true;
    case RecordingStatus::Pending:
        recordServerStatus(job, RecordingStatus::Pending, u"the server is still processing the recording"_s,
                           nowMs() + delayMs(kFirstPendingPoll, kMaxPendingPoll, job->recording.attempts));
        return false;
    case RecordingStatus::Failed:
        recordServerStatus(job, RecordingStatus::Failed, u"the server could not produce this recording"_s, {});
        return false;
    case RecordingStatus::Unavailable:
        recordServerStatus(job, RecordingStatus::Unavailable, u"the server no longer offers this recording"_s, {});
        return false;
    }
    return false;
}

bool TransferEngine::ensureLink(const JobPointer &job, bool refresh)
{
    if (!refresh && job->link.isSet() && !job->link.needsRefresh())
        return true;
    const QString &callId = job->recording.callId;
    // The first link comes from GET .../recording; later ones from the refresh endpoint.
    auto link = job->hadLink ? m_links.refreshedLink(callId) : m_links.link(callId);
    if (!link)
        return handleLinkFailure(job, link.error());
    if (job->hadLink)
        qCDebug(lcTransfer) << "fresh link for the recording of call" << callId << "valid for" << link->expiresInSeconds << "s";
    job->link = SignedLink(link->url, seconds(std::max<qint64>(1, link->expiresInSeconds)));
    job->hadLink = true;
    job->redirectedUrl = QUrl();
    job->redirects = 0;
    return true;
}

bool TransferEngine::handleLinkFailure(const JobPointer &job, const SyncError &error)
{
    if (error.kind == SyncError::Kind::Stopped) {
        park(job);
    } else if (error.kind != SyncError::Kind::Server || error.httpStatus == 0) {
        // Signed out, the server unreachable, the store broken: every other recording
        // would fail the same way, so the downloads stop here for this pass.
        job->lastProblem = error.message; // what a waiting player is told
        setFatal(error);
        park(job);
    } else if (error.httpStatus == 409) {
        recordServerStatus(job, RecordingStatus::Pending, u"the server is still processing the recording"_s,
                           nowMs() + delayMs(kFirstPendingPoll, kMaxPendingPoll, 0));
    } else if (error.httpStatus == 404) {
        const bool failed = error.code == "recording_failed"_L1;
        recordServerStatus(job, failed ? RecordingStatus::Failed : RecordingStatus::Unavailable,
                           failed ? u"the server could not produce this recording"_s
                                  : u"the server has no recording for this call"_s,
                           {});
    } else {
        failAttempt(job, error.message);
    }
    return false;
}

void TransferEngine::recordServerStatus(const JobPointer &job, RecordingStatus status, const QString &reason,
                                        std::optional<qint64> nextAttemptAtMs)
{
    job->ending = true;
    job->lastProblem = reason;
    qCInfo(lcTransfer).noquote() << "recording" << job->recording.recordingId << "of call" << job->recording.callId
                                 << "is" << toString(status) << "on the server:" << reason;
    m_ledger.recordServerStatus(job->recording.recordingId, status, reason, nextAttemptAtMs);
    requestFlush();
    ++m_report.notReady;
    park(job);
}

void TransferEngine::openCacheFile(const JobPointer &job)
{
    const TransferCandidate &recording = job->recording;
    const bool hasPartial = recording.cacheState == CacheState::Partial && recording.cacheFile.endsWith(".part"_L1)
        && CacheFolder::isCacheFileName(recording.cacheFile);
    if (hasPartial) {
        job->partialName = recording.cacheFile;
        job->finalName = recording.cacheFile.chopped(5);
        job->partialRecorded = true;
        job->resumeExisting = true;
        job->validator = recording.partialValidator;
        // A crash between the rename and the commit leaves only the final name: adopt it.
        const QDir folder(m_cacheDirectory);
        if (!QFile::exists(folder.filePath(job->partialName)) && QFile::exists(folder.filePath(job->finalName)))
            job->partialName = job->finalName;
    } else {
        job->finalName = CacheFolder::newFileName(recording.format);
        job->partialName = CacheFolder::partialNameFor(job->finalName);
        job->resumeExisting = false;
    }
    const CacheFileSpec spec{m_cacheDirectory, job->partialName, job->finalName, m_cacheKey, recording.sizeBytes,
                             recording.sha256};
    const std::weak_ptr<RecordingJob> weak = job;
    CurlMultiLoop *loop = m_loop.get();
    job->sink = CacheFileSink::create(
        m_workers, spec, [loop] { loop->wake(); },
        [this, weak](CacheFileProblem problem, const QString &message) {
            post([this, weak, problem, message] {
                if (const JobPointer failed = weak.lock())
                    onSinkFailure(failed, problem, message);
            });
        });
    job->stage = RecordingJob::Stage::Opening;
    job->sink->open(job->resumeExisting, [this, weak](const CacheFileOpened &opened) {
        post([this, weak, opened] {
            if (const JobPointer opening = weak.lock())
                onOpened(opening, opened);
        });
    });
}

void TransferEngine::onOpened(const JobPointer &job, const CacheFileOpened &opened)
{
    if (!isCurrent(job))
        return;
    job->stage = RecordingJob::Stage::Transferring;
    if (opened.problem == CacheFileProblem::DiskFull)
        return pauseForDiskSpace(job, opened.message);
    if (opened.problem != CacheFileProblem::None) {
        job->discardFile = true;
        return failAttempt(job, u"Cannot write to the recording cache: "_s + opened.message);
    }
    job->chunkSize = opened.chunkSize;
    job->have = opened.present;
    if (!job->hasAnyChunk())
        job->validator.clear(); // the partial named in the store was gone or unusable: a new file
    if (job->ending)
        return park(job);
    if (job->resumeExisting && job->hasAnyChunk())
        qCInfo(lcTransfer) << "resuming recording" << job->recording.recordingId << "at byte" << job->contiguousBytes()
                           << "of" << job->recording.sizeBytes;
    // A download worth resuming is in the store before its first byte: a kill at any
    // moment after this leaves a partial the next run finds. The player's partials must
    // be there too, because the player opens them by the name in the store.
    const bool recordNow = !job->partialRecorded
        && (job->priority || job->recording.sizeBytes >= RecordingJob::kWorthResumingBytes);
    if (recordNow)
        recordPartial(job, job->contiguousBytes());
    continueJob(job);
    if (recordNow)
        flushLedger(); // the transfer runs meanwhile
}

void TransferEngine::failAttempt(const JobPointer &job, const QString &problem, std::optional<qint64> notBeforeMs)
{
    if (job->ending)
        return park(job);
    job->ending = true;
    job->lastProblem = problem;
    const TransferCandidate &recording = job->recording;
    const bool giveUp = recording.attempts + 1 >= kAttemptsBeforeGivingUp;
    qint64 next = nowMs() + (giveUp ? delayMs(kRetryGivenUpAfter, kRetryGivenUpAfter, 0)
                                    : delayMs(kFirstBackoff, kMaxBackoff, recording.attempts));
    if (notBeforeMs)
        next = std::max(next, *notBeforeMs);
    m_ledger.recordAttemptFailure(recording.recordingId, problem, next, giveUp);
    requestFlush();
    ++m_report.failed;
    m_report.lastFailure = u"recording of call %1: %2"_s.arg(recording.callId, problem);
    qCWarning(lcTransfer).noquote() << "recording" << recording.recordingId << "of call" << recording.callId
                                    << "not downloaded:" << problem
                                    << (giveUp ? u"- given up after %1 attempts until later;"_s.arg(recording.attempts + 1)
                                               : u"-"_s)
                                    << "next try in" << (next - nowMs()) / 1000 << "s";
    park(job);
}

void TransferEngine::park(const JobPointer &job)
{
    job->ending = true;
    if (job->hasTransfers()) {
        if (job->mainTransfer)
            job->mainTransfer->requestCancel();
        if (job->rangeTransfer)
            job->rangeTransfer->requestCancel();
        if (m_loop)
            m_loop->wake();
        return; // parked when the last one has ended
    }
    if (job->stage == RecordingJob::Stage::Opening || job->stage == RecordingJob::Stage::Finishing)
        return; // parked when that is done
    if (job->sink) {
        const bool keep = !job->discardFile && job->hasAnyChunk();
        job->sink->close(!keep);
        job->sink.reset();
        const qint64 bytes = job->contiguousBytes();
        if (keep && (!job->partialRecorded || bytes != job->recordedBytes)) {
            // Resumed from here next time, after a stop, a crash or a failed attempt alike.
            recordPartial(job, bytes);
            requestFlush();
        } else if (!keep && job->partialRecorded) {
            m_ledger.forgetPartial(job->recording.recordingId, job->partialName);
            requestFlush();
        }
    }
    const QString reason = job->lastProblem.isEmpty() ? u"the download stopped before those bytes arrived"_s
                                                      : job->lastProblem;
    for (const PlayerRange &range : std::as_const(job->ranges))
        Q_EMIT rangeFailed(job->recording.recordingId, range.offset, range.end - range.offset, reason);
    job->ranges.clear();
    finishJob(job);
}

void TransferEngine::startOver(const JobPointer &job)
{
    job->startOverPending = false;
    job->sink->close(true);
    job->sink.reset();
    if (job->partialRecorded)
        m_ledger.forgetPartial(job->recording.recordingId, job->partialName);
    job->partialRecorded = false;
    job->recordedBytes = 0;
    job->validator.clear();
    job->discardFile = false;
    job->recording.cacheState = CacheState::Absent;
    job->have.clear();
    openCacheFile(job);
}

} // namespace earshot
