// A recording's job while it transfers: which bytes to request next (the player's
// ranges first), what each answer means, retries within the pass, and verification.
#include "transfer/transferengine.h"

#include "agentlogging.h"
#include "api/retrypolicy.h"
#include "http/urlpolicy.h"
#include "http/urlredaction.h"
#include "transfer/transferbackoff.h"

using namespace Qt::StringLiterals;
using namespace std::chrono;

namespace earshot {

using namespace transferbackoff;

void TransferEngine::continueJob(const JobPointer &job)
{
    if (job->ending || m_stopping || m_pausedForSpace)
        return park(job);
    if (job->startOverPending) {
        if (!job->hasTransfers())
            startOver(job);
        return;
    }
    job->stage = RecordingJob::Stage::Transferring;
    deliverReadyRanges(job);
    if (job->isComplete()) {
        if (!job->hasTransfers())
            verifyAndFinish(job);
        return;
    }
    if (!startRangeTransfers(job))
        return;
    if (!job->mainTransfer) {
        const auto span = job->nextMissingSpan(0, job->chunkCount());
        if (span && !startTransfer(job, span->first, span->second, false))
            return;
    }
}

bool TransferEngine::startRangeTransfers(const JobPointer &job)
{
    if (job->rangeTransfer || job->rangesUnsupported)
        return true;
    for (const PlayerRange &range : std::as_const(job->ranges)) {
        const auto [from, to] = job->chunksOf(range);
        if (const auto span = job->nextMissingSpan(from, to, true))
            return startTransfer(job, span->first, span->second, true);
    }
    return true;
}

bool TransferEngine::startTransfer(const JobPointer &job, qint64 first, qint64 end, bool forPlayer)
{
    if (job->link.needsRefresh()) {
        qCInfo(lcTransfer) << "the link of the recording of call" << job->recording.callId
                           << "is about to expire; refreshing it before resuming at byte" << first;
        if (!ensureLink(job, true))
            return false;
    }
    MediaSpan span{job->redirectedUrl.isValid() ? job->redirectedUrl : job->link.url(), first, end,
                   job->recording.sizeBytes, job->chunkSize, job->validator};
    auto transfer = std::make_shared<MediaTransfer>(std::move(span), job->sink, m_options.media);
    if (Status prepared = transfer->prepare(); !prepared) {
        failAttempt(job, prepared.error());
        return false;
    }
    // The limit is for mirroring in the background; bytes someone is waiting to hear now
    // would otherwise queue behind it (the shared budget serves whoever libcurl reads first).
    if (forPlayer)
        transfer->exemptFromBudget();
    // A partial the store already names, with nothing in it yet: its first chunk waits until
    // the store names the version too, so that a kill at any moment leaves a partial that
    // resumes with If-Range (or none, which starts over).
    if (job->partialRecorded && job->validator.isEmpty() && !job->hasAnyChunk())
        holdFirstChunkUntilTheVersionIsRecorded(job, transfer);
    if (forPlayer && job->mainTransfer) {
        const MediaSpan &main = job->mainTransfer->span();
        if (first >= main.first && first < main.end)
            job->mainTransfer->stopAt(first); // the main stream resumes after the player's bytes
    }
    qCDebug(lcTransfer).noquote() << (forPlayer ? "player range" : "request") << "for recording"
                                  << job->recording.recordingId << u"bytes %1-%2 of %3"_s.arg(first).arg(end - 1).arg(
                                         job->recording.sizeBytes);
    (forPlayer ? job->rangeTransfer : job->mainTransfer) = transfer;
    m_transferJobs.insert(transfer.get(), job);
    m_loop->add(std::move(transfer));
    return true;
}

void TransferEngine::holdFirstChunkUntilTheVersionIsRecorded(const JobPointer &job,
                                                             const std::shared_ptr<MediaTransfer> &transfer)
{
    const std::weak_ptr<RecordingJob> weakJob = job;
    const std::weak_ptr<MediaTransfer> weakTransfer = transfer;
    transfer->holdFirstChunkUntilReleased([this, weakJob, weakTransfer] {
        post([this, weakJob, weakTransfer] {
            const std::shared_ptr<MediaTransfer> waiting = weakTransfer.lock();
            if (!waiting)
                return;
            if (const JobPointer current = weakJob.lock(); current && isCurrent(current))
                adoptValidator(current, waiting->validator());
            if (m_ledger.hasPendingWrites())
                flushLedger();
            waiting->release();
            if (m_loop)
                m_loop->wake();
        });
    });
}

void TransferEngine::onTransferFinished(const std::shared_ptr<MediaTransfer> &transfer)
{
    const JobPointer job = m_transferJobs.take(transfer.get());
    if (!job)
        return;
    const MediaOutcome &outcome = transfer->outcome();
    if (job->mainTransfer == transfer)
        job->mainTransfer.reset();
    if (job->rangeTransfer == transfer)
        job->rangeTransfer.reset();
    job->markDelivered(transfer->span().first, outcome.deliveredEnd);
    if (outcome.deliveredEnd > transfer->span().first) {
        job->retries = 0;
        job->refusedSinceRefresh = false;
    }
    // Two requests of one file that got different versions of it (neither knew one to
    // send as If-Range yet): what they stored cannot be joined.
    const bool delivered = outcome.deliveredEnd > transfer->span().first;
    if (delivered && !outcome.validator.isEmpty() && !job->validator.isEmpty() && outcome.validator != job->validator
        && isCurrent(job) && !job->ending) {
        job->discardFile = true; // never kept as a partial, should the job be parked instead
        return startOverInANewFile(job, u"two requests for the recording got different versions of it (ETag or "
                                         "Last-Modified %1, then %2)"_s.arg(QString::fromLatin1(job->validator),
                                                                            QString::fromLatin1(outcome.validator)));
    }
    if (delivered && outcome.kind != MediaOutcome::Kind::Changed)
        adoptValidator(job, outcome.validator);
    if (!isCurrent(job))
        return;
    if (job->ending || m_stopping || m_pausedForSpace) {
        if (!job->hasTransfers())
            park(job);
        return;
    }
    handleOutcome(job, outcome);
}

void TransferEngine::handleOutcome(const JobPointer &job, const MediaOutcome &outcome)
{
    using Kind = MediaOutcome::Kind;
    switch (outcome.kind) {
    case Kind::Completed:
    case Kind::StoppedEarly:
    case Kind::Cancelled:
        return continueJob(job);
    case Kind::Redirect:
        if (++job->redirects > kMaxRedirects)
            return failAttempt(job, u"the media server redirected more than %1 times"_s.arg(kMaxRedirects));
        if (Status allowed = http::checkRedirect(job->redirectedUrl.isValid() ? job->redirectedUrl : job->link.url(),
                                                 outcome.redirectTo);
            !allowed)
            return failAttempt(job, u"the media server redirected to a refused address: "_s + allowed.error());
        qCDebug(lcTransfer).noquote() << "redirect" << outcome.status << "to" << http::redactedUrl(outcome.redirectTo);
        job->redirectedUrl = outcome.redirectTo;
        return continueJob(job);
    case Kind::RangeIgnored:
        if (job->rangesUnsupported)
            return failAttempt(job, outcome.message);
        job->rangesUnsupported = true;
        return startOverInANewFile(job, outcome.message);
    case Kind::Changed:
        // Its bytes and the server's can no longer be joined; the player's ranges stay
        // wanted and are fetched from the new version.
        return startOverInANewFile(job, outcome.message);
    case Kind::Network:
        return retryLater(job, outcome.message, std::nullopt);
    case Kind::SinkFailed:
        return; // the cache file's own failure report decides (disk full or not)
    case Kind::Mismatch:
    case Kind::Refused:
    case Kind::Failed:
        return failAttempt(job, outcome.message);
    case Kind::HttpError:
        break;
    }
    const int status = outcome.status;
    if (status == 403 || status == 410) {
        if (job->refusedSinceRefresh)
            return failAttempt(job, u"the media server refused a freshly issued link too (HTTP %1)"_s.arg(status));
        job->refusedSinceRefresh = true;
        qCInfo(lcTransfer).noquote() << u"the media server refused the link of the recording of call %1 (HTTP %2); "
                                        "refreshing it and resuming at byte %3"_s.arg(job->recording.callId)
                                            .arg(status)
                                            .arg(job->contiguousBytes());
        if (!ensureLink(job, true))
            return;
        return continueJob(job);
    }
    if (status == 416) {
        if (job->isComplete())
            return continueJob(job); // everything is here already: verify it
        return failAttempt(job, u"the media server says the requested bytes are outside the recording (HTTP 416): "
                                "its copy is not the %1 bytes the call's metadata describes"_s.arg(job->recording.sizeBytes));
    }
    if (status == 429 || status >= 500)
        return retryLater(job, outcome.message, outcome.retryAfter);
    failAttempt(job, outcome.message);
}

void TransferEngine::startOverInANewFile(const JobPointer &job, const QString &why)
{
    // A server whose copy seems to change at every request (backends that disagree on
    // the ETag) would otherwise start the file over for ever.
    if (++job->startsOver > kStartsOverPerPass)
        return failAttempt(job, why + u"; started over %1 times in this pass"_s.arg(kStartsOverPerPass));
    qCInfo(lcTransfer).noquote() << why << "- downloading recording" << job->recording.recordingId
                                 << "again from the start into a new file";
    job->startOverPending = true;
    if (job->rangeTransfer)
        job->rangeTransfer->requestCancel();
    if (job->mainTransfer)
        job->mainTransfer->requestCancel();
    continueJob(job); // starts over once no request is running
}

void TransferEngine::retryLater(const JobPointer &job, const QString &problem, std::optional<seconds> retryAfter)
{
    const RetryPolicy policy;
    if (retryAfter && *retryAfter > policy.maxRetryAfter)
        return failAttempt(job, u"%1; the server asked to wait %2 s"_s.arg(problem).arg(retryAfter->count()),
                           nowMs() + duration_cast<milliseconds>(*retryAfter).count());
    if (++job->retries > kRetriesPerPass)
        return failAttempt(job, problem);
    if (job->hasTransfers())
        return; // tried again when the other request ends
    const milliseconds delay = policy.delayAfter(job->retries, retryAfter);
    qCInfo(lcTransfer).noquote() << "recording" << job->recording.recordingId << "-" << problem << "- trying again in"
                                 << delay.count() << "ms from byte" << job->contiguousBytes();
    job->stage = RecordingJob::Stage::Waiting;
    const std::weak_ptr<RecordingJob> weak = job;
    QTimer::singleShot(delay, this, [this, weak] {
        const JobPointer waiting = weak.lock();
        if (!isCurrent(waiting) || waiting->stage != RecordingJob::Stage::Waiting)
            return;
        m_queue.push_front(waiting);
        schedule();
    });
    schedule(); // the slot is free meanwhile
}

void TransferEngine::onSinkFailure(const JobPointer &job, CacheFileProblem problem, const QString &message)
{
    if (!isCurrent(job) || job->ending || job->stage == RecordingJob::Stage::Finishing)
        return; // verification reports it
    if (problem == CacheFileProblem::DiskFull)
        return pauseForDiskSpace(job, message);
    failAttempt(job, u"Cannot write to the recording cache: "_s + message);
}

void TransferEngine::verifyAndFinish(const JobPointer &job)
{
    job->stage = RecordingJob::Stage::Finishing;
    const std::weak_ptr<RecordingJob> weak = job;
    job->sink->finish([this, weak](const CacheFileResult &result) {
        post([this, weak, result] {
            if (const JobPointer finishing = weak.lock())
                onVerified(finishing, result);
        });
    });
    schedule(); // its slot is free: verifying needs no connection
}

void TransferEngine::onVerified(const JobPointer &job, const CacheFileResult &result)
{
    if (!isCurrent(job))
        return;
    job->stage = RecordingJob::Stage::Transferring;
    using Kind = CacheFileResult::Kind;
    switch (result.kind) {
    case Kind::Verified:
        // Present only once the batch commits, after the folder holding the new name is synced.
        m_ledger.recordPresent(job->recording, job->finalName);
        m_awaitingCommit.append({job->recording.recordingId, job->finalName, job->ranges});
        ++m_report.downloaded;
        m_report.bytes += job->recording.sizeBytes;
        job->sink.reset();
        requestFlush();
        return finishJob(job);
    case Kind::HashMismatch:
    case Kind::Incomplete:
        // Which bytes are wrong cannot be known: the next attempt starts from nothing.
        job->discardFile = true;
        return failAttempt(job, result.message);
    case Kind::DiskFull:
        return pauseForDiskSpace(job, result.message);
    case Kind::IoError:
        return failAttempt(job, u"Cannot write to the recording cache: "_s + result.message);
    }
}

void TransferEngine::deliverReadyRanges(const JobPointer &job)
{
    for (auto it = job->ranges.begin(); it != job->ranges.end();) {
        const auto [from, to] = job->chunksOf(*it);
        bool ready = true;
        for (qint64 index = from; ready && index < to; ++index)
            ready = job->isDelivered(index);
        if (!ready) {
            ++it;
            continue;
        }
        const PlayerRange range = *it;
        it = job->ranges.erase(it);
        // Announced once the chunks are on disk: the file's queue runs in order.
        job->sink->afterWrites([this, id = job->recording.recordingId, range](bool written) {
            if (written)
                post([this, id, range] { Q_EMIT rangeReady(id, range.offset, range.end - range.offset); });
        });
    }
}

} // namespace earshot
