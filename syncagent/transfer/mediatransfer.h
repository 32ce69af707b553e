#pragma once

#include "http/curlhandles.h"
#include "http/connectionpolicy.h"
#include "transfer/bandwidthbudget.h"
#include "transfer/cachefilesink.h"
#include "transfer/stallwatch.h"

#include <QMap>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace earshot {

// What every media request shares; set once by the engine.
struct MediaTransferSettings
{
    http::ConnectionPolicy connection;
    // A download slower than this over a whole connection.stallTime is abandoned and
    // resumed later (StallWatch); time the agent held it back does not count.
    qint64 slowestBytesPerSecond = 1024;
    const std::atomic<bool> *stopRequested = nullptr;
};

// Which bytes of a recording one request asks for: [first, end), first on a chunk
// boundary, end on a chunk boundary or the recording's end.
struct MediaSpan
{
    QUrl url; // signed: never logged with its query
    qint64 first = 0;
    qint64 end = 0;
    qint64 recordingSize = 0;
    qint64 chunkSize = 0;
    // The media server's validator (ETag or Last-Modified) of the version whose bytes the
    // cache file holds; a Range request sends it as If-Range. Empty when none is known.
    QByteArray ifRange;

    // The whole recording goes out as a plain GET (expecting 200); anything else with Range.
    bool sendsRange() const { return first > 0 || end < recordingSize; }
};

struct MediaOutcome
{
    enum class Kind {
        Completed,    // the whole span arrived
        StoppedEarly, // reached the boundary set with stopAt(): another transfer has the rest
        HttpError,    // a status without a usable body (403, 410, 416, 429, 5xx, ...)
        Redirect,     // 3xx with a Location, for the engine to check and follow
        RangeIgnored, // 200 to a request with Range: the body was never read
        Changed,      // the server's copy is not the version the file holds (If-Range): body unread
        Mismatch,     // wrong Content-Range or Content-Length, or more bytes than asked for
        Network,      // refused, broken, stalled or cut short: resume from deliveredEnd
        Refused,      // not http(s): never retry
        Cancelled,    // cancelled, or the agent is stopping
        SinkFailed,   // the cache file could not take the bytes (see the sink's failure)
        Failed,       // anything else (TLS verification, protocol errors)
    };

    Kind kind = Kind::Failed;
    int status = 0;
    QString message;   // redacted: safe to log and to store
    qint64 deliveredEnd = 0; // every chunk before this offset went to the cache file
    std::optional<std::chrono::seconds> retryAfter;
    QUrl redirectTo;
    QByteArray validator; // of the version the answer's body came from (see validator())
};

// One HTTP request for a span of a recording, on its own easy handle, driven by the
// CurlMultiLoop. Checks the answer before any body byte is used (a 200 to a Range
// request or a wrong Content-Range is never written anywhere), cuts the body into the
// cache's chunks and stores each in the recording's CacheFileSink as it fills, pausing
// while the sink's hash is behind. Created and read on the engine's thread; driven on the transfer thread.
class MediaTransfer
{
public:
    MediaTransfer(MediaSpan span, std::shared_ptr<CacheFileSink> sink, const MediaTransferSettings &settings);
    ~MediaTransfer();
    MediaTransfer(const MediaTransfer &) = delete;
    MediaTransfer &operator=(const MediaTransfer &) = delete;

    // Configures the handle; fails for a URL the policy refuses or when curl has no memory.
    Status prepare();
    CURL *handle() const { return m_handle.get(); }
    const MediaSpan &span() const { return m_span; }
    const std::shared_ptr<CacheFileSink> &sink() const { return m_sink; }

    // Any thread.
    void requestCancel() { m_cancel = true; }
    // Ends the transfer cleanly when the body reaches `offset` (a chunk boundary).
    void stopAt(qint64 offset) { m_stopAt = offset; }
    qint64 receivedUpTo() const { return m_receivedUpTo.load(); }
    // The validator of the version whose body is being received: its strong ETag, else its
    // Last-Modified; empty before the body starts or when the server gave neither.
    QByteArray validator() const;

    // Before the transfer is added to the loop: no chunk is stored until release(), so that
    // the version the body comes from (validator()) can be recorded with the partial first.
    // `bodyWaits` runs on the transfer thread once the answer's head is accepted.
    void holdFirstChunkUntilReleased(std::function<void()> bodyWaits);
    void release() { m_released = true; } // any thread; then wake the loop

    // Before the transfer is added to the loop: the bandwidth limit does not apply to it.
    void exemptFromBudget() { m_exemptFromBudget = true; }
    bool isExemptFromBudget() const { return m_exemptFromBudget; }

    // Transfer thread.
    void useBudget(BandwidthBudget *budget) { m_budget = budget; }
    // Paused (by the body callback, just after a chunk was stored) because the cache
    // file's hash is behind or the bandwidth budget is spent.
    bool isPaused() const { return m_paused; }
    bool mayResume() const
    {
        return (!m_holdsFirstChunk || m_released.load()) && m_sink->hashBacklogBytes() < m_resumeBelow
            && (!m_budget || m_budget->mayTake());
    }
    void markResumed() { m_paused = false; }
    bool isCancelled() const;
    void complete(CURLcode code);

    // After complete(), on the engine's thread.
    const MediaOutcome &outcome() const { return m_outcome; }

private:
    static size_t onHeader(char *data, size_t size, size_t count, void *self);
    static size_t onBody(char *data, size_t size, size_t count, void *self);
    static int onProgress(void *self, curl_off_t, curl_off_t received, curl_off_t, curl_off_t);

    bool acceptHeaders();
    size_t takeBody(const char *data, size_t size);
    void markPaused()
    {
        m_paused = true;
        m_stallWatch.noteHeldBack();
    }

    // Stores the chunk just filled; false when the cache file has failed.
    bool flushChunk();
    MediaOutcome describe(CURLcode code) const;

    MediaSpan m_span;
    std::shared_ptr<CacheFileSink> m_sink;
    const MediaTransferSettings &m_settings;
    http::CurlEasyHandle m_handle;
    http::CurlHeaderList m_requestHeaders;
    QByteArray m_url;
    char m_errorBuffer[CURL_ERROR_SIZE] = {};

    std::atomic<bool> m_cancel{false};
    bool m_exemptFromBudget = false;
    bool m_holdsFirstChunk = false;
    std::atomic<bool> m_released{false};
    std::function<void()> m_bodyWaits;
    std::atomic<qint64> m_stopAt;
    std::atomic<qint64> m_receivedUpTo;

    // Transfer thread only, until complete().
    int m_status = 0;
    QMap<QByteArray, QByteArray> m_headers;
    bool m_bodyAccepted = false;
    QString m_rejection; // why the headers were refused (Mismatch)
    bool m_rangeIgnored = false;
    bool m_changed = false;
    mutable std::mutex m_validatorMutex;
    QByteArray m_validator; // set once, on the transfer thread, when the body is accepted
    bool m_stoppedEarly = false;
    bool m_oversized = false;
    bool m_sinkFailed = false;
    bool m_paused = false;
    bool m_stalled = false;
    StallWatch m_stallWatch;
    qint64 m_headerBytes = 0;
    BandwidthBudget *m_budget = nullptr;
    // Where the transfer pauses for the hash to catch up and resumes; higher on HTTP/2.
    qint64 m_pauseAbove = CacheFileSink::kHashBacklogHighBytes;
    qint64 m_resumeBelow = CacheFileSink::kHashBacklogLowBytes;
    qint64 m_position;     // plaintext offset of the next body byte
    qint64 m_deliveredEnd; // chunks before this are in the cache file
    bool m_droppedAChunk = false;
    QByteArray m_chunk;    // the chunk being filled
    QByteArray m_errorBody;
    MediaOutcome m_outcome;
};

} // namespace earshot
