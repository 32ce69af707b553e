#pragma once

#include "api/serverapi.h"
#include "http/httptransport.h"
#include "store/recordingcacheindex.h"
#include "sync/cachefolder.h"
#include "syncerror.h"

#include <chrono>

namespace earshot {

struct DownloadReport
{
    int due = 0;
    int downloaded = 0;
    int failed = 0;   // will be tried again after a backoff
    int notReady = 0; // the server says pending or unavailable
    qint64 bytes = 0;
    qint64 milliseconds = 0;
    QString lastFailure;
};

// First slice of the recording downloads: one at a time, newest calls first. Each
// recording goes link -> signed URL -> partial file -> verified (size, SHA-256) ->
// flushed -> renamed -> marked present; a failure deletes the partial and backs off.
class RecordingDownloader
{
public:
    static constexpr std::chrono::seconds kFirstBackoff{30};
    static constexpr std::chrono::seconds kMaxBackoff{3600};

    RecordingDownloader(ServerApi &api, http::HttpTransport &media, RecordingCacheIndex &index,
                        const CacheFolder &cache, RetryPolicy retry, const std::atomic<bool> *stopRequested);

    // Fails only for what stops the whole pass: sign in again, server unreachable,
    // local store or disk trouble, a stop request. Per-recording failures are counted.
    SyncResult<DownloadReport> run();

    // 30 s x 2^attempts, capped at an hour.
    static std::chrono::seconds backoffAfter(int previousAttempts);

private:
    struct Fetch;
    SyncResult<Done> downloadOne(const DownloadCandidate &candidate, DownloadReport &report);
    Fetch fetchIntoCache(const DownloadCandidate &candidate, const QUrl &url);
    SyncResult<Done> recordFailure(const DownloadCandidate &candidate, const QString &error, DownloadReport &report);
    SyncResult<Done> recordServerStatus(const DownloadCandidate &candidate, RecordingStatus status,
                                        const QString &reason, DownloadReport &report);
    // Sorts a failed link request: a per-recording state, or an error for the pass.
    SyncResult<Done> handleLinkFailure(const DownloadCandidate &candidate, const SyncError &error,
                                       DownloadReport &report);

    ServerApi &m_api;
    http::HttpTransport &m_media;
    RecordingCacheIndex &m_index;
    const CacheFolder &m_cache;
    RetryPolicy m_retry;
    const std::atomic<bool> *m_stopRequested;
};

} // namespace earshot
