#include "sync/recordingdownloader.h"

#include "agentlogging.h"
#include "http/urlredaction.h"
#include "sync/recordingfilewriter.h"

#include <QDateTime>
#include <QElapsedTimer>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr int kMaxDownloadsPerPass = 1000000;
constexpr int kProgressEvery = 250;

} // namespace

// What became of one attempt to fetch a signed URL into the cache.
struct RecordingDownloader::Fetch
{
    enum class Kind {
        Saved,       // verified, renamed, marked present
        Superseded,  // verified, but the row changed meanwhile: file deleted, next pass decides
        LinkExpired, // 403/410 from the media server
        Retryable,   // 429/5xx from the media server
        Failed,      // this recording failed: back off
        LocalError,  // disk or store trouble: stop the pass
        Stopped,
    };
    Fetch(Kind kind_, QString detail_, qint64 bytes_ = 0, std::optional<std::chrono::seconds> retryAfter_ = {})
        : kind(kind_), detail(std::move(detail_)), bytes(bytes_), retryAfter(retryAfter_)
    {
    }

    Kind kind;
    QString detail;
    qint64 bytes;
    std::optional<std::chrono::seconds> retryAfter;
};

RecordingDownloader::RecordingDownloader(ServerApi &api, http::HttpTransport &media, RecordingCacheIndex &index,
                                         const CacheFolder &cache, RetryPolicy retry,
                                         const std::atomic<bool> *stopRequested)
    : m_api(api)
    , m_media(media)
    , m_index(index)
    , m_cache(cache)
    , m_retry(retry)
    , m_stopRequested(stopRequested)
{
}

std::chrono::seconds RecordingDownloader::backoffAfter(int previousAttempts)
{
    const int doublings = std::clamp(previousAttempts, 0, 16);
    return std::min<std::chrono::seconds>(kFirstBackoff * (1LL << doublings), kMaxBackoff);
}

SyncResult<DownloadReport> RecordingDownloader::run()
{
    QElapsedTimer timer;
    timer.start();
    DownloadReport report;
    auto due = m_index.dueDownloads(QDateTime::currentMSecsSinceEpoch(), kMaxDownloadsPerPass);
    if (!due)
        return SyncError::localStore(u"Cannot read the recordings to download from the local store: "_s + due.error());
    report.due = static_cast<int>(due->size());
    qCInfo(lcSync) << "downloads start:" << report.due << "recordings due";
    for (const DownloadCandidate &candidate : std::as_const(*due)) {
        if (m_stopRequested && m_stopRequested->load())
            return SyncError::stopped();
        if (auto done = downloadOne(candidate, report); !done)
            return done.error();
        const int handled = report.downloaded + report.failed + report.notReady;
        if (handled % kProgressEvery == 0 && handled > 0)
            qCInfo(lcSync).noquote() << u"downloads: %1 of %2 handled, %3 bytes"_s.arg(handled).arg(report.due).arg(report.bytes);
    }
    report.milliseconds = timer.elapsed();
    qCInfo(lcSync).noquote() << u"downloads done: %1 downloaded (%2 bytes), %3 failed, %4 not ready on the server, in %5 ms"_s
                                    .arg(report.downloaded)
                                    .arg(report.bytes)
                                    .arg(report.failed)
                                    .arg(report.notReady)
                                    .arg(report.milliseconds);
    return report;
}

SyncResult<Done> RecordingDownloader::downloadOne(const DownloadCandidate &candidate, DownloadReport &report)
{
    if (!CacheFolder::isKnownFormat(candidate.format))
        return recordServerStatus(candidate, RecordingStatus::Unavailable,
                                  u"the format \"%1\" is not one Earshot can store"_s.arg(candidate.format.left(20)),
                                  report);
    auto link = m_api.recordingLink(candidate.callId);
    if (!link)
        return handleLinkFailure(candidate, link.error(), report);

    bool linkRefreshed = false;
    QUrl url = link->url;
    for (int attempt = 1;; ++attempt) {
        const Fetch fetch = fetchIntoCache(candidate, url);
        switch (fetch.kind) {
        case Fetch::Kind::Saved:
            ++report.downloaded;
            report.bytes += fetch.bytes;
            return Done{};
        case Fetch::Kind::Superseded:
            return Done{};
        case Fetch::Kind::Stopped:
            return SyncError::stopped();
        case Fetch::Kind::LocalError:
            return SyncError::localStore(fetch.detail);
        case Fetch::Kind::Failed:
            return recordFailure(candidate, fetch.detail, report);
        case Fetch::Kind::LinkExpired: {
            if (linkRefreshed)
                return recordFailure(candidate, fetch.detail + u", even with a freshly refreshed link"_s, report);
            // Signed URLs expire; the contract's refresh endpoint hands out a new one.
            qCInfo(lcSync) << "recording link of call" << candidate.callId << "expired; asking for a fresh one";
            linkRefreshed = true;
            auto fresh = m_api.refreshRecordingLink(candidate.callId);
            if (!fresh)
                return handleLinkFailure(candidate, fresh.error(), report);
            url = fresh->url;
            break;
        }
        case Fetch::Kind::Retryable:
            if (attempt >= m_retry.maxAttempts || (fetch.retryAfter && *fetch.retryAfter > m_retry.maxRetryAfter))
                return recordFailure(candidate, fetch.detail, report);
            if (!sleepUnlessStopped(m_retry.delayAfter(attempt, fetch.retryAfter), m_stopRequested))
                return SyncError::stopped();
            break;
        }
    }
}

RecordingDownloader::Fetch RecordingDownloader::fetchIntoCache(const DownloadCandidate &candidate, const QUrl &url)
{
    using Kind = Fetch::Kind;
    RecordingFileWriter writer(m_cache, candidate.format);
    if (Status opened = writer.open(); !opened)
        return {Kind::LocalError, u"Cannot write to the recording cache: "_s + opened.error()};
    writer.setSizeLimit(candidate.sizeBytes);

    http::HttpRequest request;
    request.url = url; // signed: carries its own authorization, so no bearer token goes along
    auto response = m_media.perform(request, &writer);
    if (!response) {
        const http::TransferError &error = response.error();
        if (error.kind == http::TransferError::Kind::Cancelled)
            return {Kind::Stopped, error.message};
        if (error.kind == http::TransferError::Kind::SinkFailed && !writer.exceededSizeLimit())
            return {Kind::LocalError, u"Cannot write to the recording cache: "_s + error.message};
        return {Kind::Failed, error.message};
    }
    const int status = response->status;
    if (status == 403 || status == 410)
        return {Kind::LinkExpired, u"the media server refused the recording link (HTTP %1)"_s.arg(status)};
    if (status == 429 || status >= 500)
        return {Kind::Retryable, u"the media server answered HTTP %1"_s.arg(status), 0,
                parseRetryAfter(response->header("retry-after"_ba), QDateTime::currentDateTimeUtc())};
    if (status != 200)
        return {Kind::Failed, u"the media server answered HTTP %1 for %2"_s.arg(status).arg(http::redactedUrl(url))};

    auto fileName = writer.commit({candidate.sizeBytes, candidate.sha256, response->contentLength});
    if (!fileName)
        return {Kind::Failed, fileName.error()};

    // The store keeps "" and NULL apart; the row is matched on the content it describes.
    DownloadCandidate described = candidate;
    if (described.sha256.isNull())
        described.sha256 = u""_s;
    auto marked = m_index.markPresent(described, *fileName, writer.bytesWritten());
    if (!marked) {
        writer.discard();
        return {Kind::LocalError, u"Cannot record a downloaded recording in the local store: "_s + marked.error()};
    }
    if (!*marked) {
        writer.discard();
        qCInfo(lcSync) << "recording" << candidate.recordingId << "changed while downloading; dropped the file";
        return {Kind::Superseded, {}};
    }
    return {Kind::Saved, {}, writer.bytesWritten()};
}

SyncResult<Done> RecordingDownloader::handleLinkFailure(const DownloadCandidate &candidate, const SyncError &error,
                                                        DownloadReport &report)
{
    if (error.kind != SyncError::Kind::Server)
        return error;
    if (error.httpStatus == 409)
        return recordServerStatus(candidate, RecordingStatus::Pending,
                                  u"the server is still processing the recording"_s, report);
    if (error.httpStatus == 404)
        return recordServerStatus(candidate, RecordingStatus::Unavailable,
                                  u"the server has no recording for this call"_s, report);
    if (error.httpStatus == 0)
        return error; // unreachable or unreadable: every other recording would fail the same way
    return recordFailure(candidate, error.message, report);
}

SyncResult<Done> RecordingDownloader::recordFailure(const DownloadCandidate &candidate, const QString &error,
                                                    DownloadReport &report)
{
    const auto backoff = backoffAfter(candidate.attempts);
    qCWarning(lcSync).noquote() << "recording" << candidate.recordingId << "of call" << candidate.callId
                                << "not downloaded:" << error << "- next try in" << backoff.count() << "s";
    ++report.failed;
    report.lastFailure = u"recording of call %1: %2"_s.arg(candidate.callId, error);
    const qint64 nextAttemptAt = QDateTime::currentMSecsSinceEpoch()
        + std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count();
    if (Status marked = m_index.markAttemptFailed(candidate.recordingId, error, nextAttemptAt); !marked)
        return SyncError::localStore(u"Cannot record a failed download in the local store: "_s + marked.error());
    return Done{};
}

SyncResult<Done> RecordingDownloader::recordServerStatus(const DownloadCandidate &candidate, RecordingStatus status,
                                                         const QString &reason, DownloadReport &report)
{
    qCInfo(lcSync).noquote() << "recording" << candidate.recordingId << "of call" << candidate.callId << "is"
                             << toString(status) << "on the server:" << reason;
    ++report.notReady;
    if (Status marked = m_index.markServerStatus(candidate.recordingId, status, reason); !marked)
        return SyncError::localStore(u"Cannot record a recording's status in the local store: "_s + marked.error());
    return Done{};
}

} // namespace earshot
