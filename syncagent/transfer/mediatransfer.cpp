#include "transfer/mediatransfer.h"

#include "api/retrypolicy.h"
#include "http/urlpolicy.h"
#include "http/urlredaction.h"
#include "transfer/contentrange.h"

#include <QDateTime>

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr qsizetype kMaxErrorBody = 4096;
// What libcurl reads from the socket at once. libcurl 7.88 reads one more buffer into
// its own memory while a transfer is paused, received but in no file: with 32 KiB, that
// and the rest of the delivery that filled the last chunk stay under a chunk (64 KiB) in
// all, which is what a kill then loses (see takeBody()).
constexpr long kReceiveBufferBytes = 32 * 1024;

// Last-Modified tells versions apart only when the file was not written again within that
// second: a date at least a second before the answer's Date (RFC 9110 §8.8.2.2).
bool isStrongDate(const QByteArray &lastModified, const QByteArray &date)
{
    const QDateTime modified = parseHttpDate(QString::fromLatin1(lastModified));
    const QDateTime answered = parseHttpDate(QString::fromLatin1(date));
    return modified.isValid() && answered.isValid() && modified.secsTo(answered) >= 1;
}

// RFC 9110 §13.1.5: If-Range takes a strong entity tag, or a strong date only from a
// server that sends no entity tag at all; a weak tag is no use (nothing is sent then).
QByteArray validatorOf(const QMap<QByteArray, QByteArray> &headers)
{
    const QByteArray etag = headers.value("etag");
    const QByteArray lastModified = headers.value("last-modified");
    const QByteArray validator = !etag.isEmpty()
        ? (etag.startsWith('"') && etag.endsWith('"') && etag.size() >= 2 ? etag : QByteArray())
        : (isStrongDate(lastModified, headers.value("date")) ? lastModified : QByteArray());
    // It goes back out in a request header and into the store: printable and short only.
    constexpr qsizetype kMaxValidator = 256;
    const bool printable = std::all_of(validator.cbegin(), validator.cend(), [](char c) { return c >= 0x20 && c < 0x7f; });
    return printable && validator.size() <= kMaxValidator ? validator : QByteArray();
}

MediaOutcome outcomeOf(MediaOutcome::Kind kind, int status, QString message)
{
    MediaOutcome outcome;
    outcome.kind = kind;
    outcome.status = status;
    outcome.message = std::move(message);
    return outcome;
}

} // namespace

MediaTransfer::MediaTransfer(MediaSpan span, std::shared_ptr<CacheFileSink> sink, const MediaTransferSettings &settings)
    : m_span(std::move(span))
    , m_sink(std::move(sink))
    , m_settings(settings)
    , m_handle(curl_easy_init())
    , m_stopAt(m_span.end)
    , m_receivedUpTo(m_span.first)
    , m_stallWatch(settings.connection.stallTime, settings.slowestBytesPerSecond)
    , m_position(m_span.first)
    , m_deliveredEnd(m_span.first)
{
    m_chunk.reserve(static_cast<qsizetype>(m_span.chunkSize));
}

MediaTransfer::~MediaTransfer() = default;

Status MediaTransfer::prepare()
{
    if (Status allowed = http::checkTransferUrl(m_span.url); !allowed)
        return allowed;
    CURL *handle = m_handle.get();
    if (!handle)
        return Status::failure(u"libcurl could not create a transfer handle"_s);
    if (m_span.sendsRange()) {
        const QByteArray range = "Range: bytes=" + QByteArray::number(m_span.first) + '-'
            + QByteArray::number(m_span.end - 1);
        if (!m_requestHeaders.append(range))
            return Status::failure(u"out of memory building a request"_s);
        // The server sends the whole file instead when its copy is another version.
        if (!m_span.ifRange.isEmpty() && !m_requestHeaders.append("If-Range: " + m_span.ifRange))
            return Status::failure(u"out of memory building a request"_s);
    }
    m_url = m_span.url.toEncoded();
    curl_easy_setopt(handle, CURLOPT_URL, m_url.constData());
    curl_easy_setopt(handle, CURLOPT_PRIVATE, this);
    // Redirects come back to the engine, which checks each hop against the URL policy.
    m_settings.connection.applyTo(handle);
    curl_easy_setopt(handle, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Wait for a connection that can multiplex (HTTP/2) rather than open another one.
    curl_easy_setopt(handle, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, m_requestHeaders.get());
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, m_errorBuffer);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &MediaTransfer::onHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &MediaTransfer::onBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &MediaTransfer::onProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    return Status::ok();
}

bool MediaTransfer::isCancelled() const
{
    return m_cancel.load() || (m_settings.stopRequested && m_settings.stopRequested->load());
}

size_t MediaTransfer::onHeader(char *data, size_t size, size_t count, void *self)
{
    auto *transfer = static_cast<MediaTransfer *>(self);
    const size_t bytes = size * count;
    transfer->m_headerBytes += static_cast<qint64>(bytes);
    const QByteArray line = QByteArray(data, static_cast<qsizetype>(bytes)).trimmed();
    if (line.startsWith("HTTP/")) {
        // A new answer begins (after a 1xx): only the last one counts.
        const QList<QByteArray> parts = line.split(' ');
        transfer->m_status = parts.size() > 1 ? parts.at(1).toInt() : 0;
        transfer->m_headers.clear();
        const bool multiplexed = line.startsWith("HTTP/2") || line.startsWith("HTTP/3");
        transfer->m_pauseAbove =
            multiplexed ? CacheFileSink::kMultiplexedHashBacklogHighBytes : CacheFileSink::kHashBacklogHighBytes;
        transfer->m_resumeBelow =
            multiplexed ? CacheFileSink::kMultiplexedHashBacklogLowBytes : CacheFileSink::kHashBacklogLowBytes;
        return bytes;
    }
    if (line.isEmpty())
        return transfer->acceptHeaders() ? bytes : 0; // 0 makes curl abort before any body byte
    const qsizetype colon = line.indexOf(':');
    if (colon > 0)
        transfer->m_headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    return bytes;
}

bool MediaTransfer::acceptHeaders()
{
    if (m_status >= 100 && m_status < 200)
        return true; // an interim answer; the real one follows
    const QByteArray contentLength = m_headers.value("content-length");
    const qint64 spanLength = m_span.end - m_span.first;
    const QByteArray validator = validatorOf(m_headers);
    // A server that ignores If-Range may still say, in its validator, that it changed.
    const bool otherVersion = !m_span.ifRange.isEmpty() && validator != m_span.ifRange;
    if (m_status == 206) {
        if (otherVersion && !validator.isEmpty()) {
            m_changed = true;
            return false;
        }
        const auto range = parseContentRange(m_headers.value("content-range"));
        if (!range || range->first != m_span.first || range->last != m_span.end - 1
            || range->total != m_span.recordingSize) {
            m_rejection = u"the media server answered a request for bytes %1-%2 of %3 with Content-Range \"%4\""_s
                              .arg(m_span.first)
                              .arg(m_span.end - 1)
                              .arg(m_span.recordingSize)
                              .arg(QString::fromLatin1(m_headers.value("content-range").left(80)));
            return false;
        }
    } else if (m_status == 200) {
        if (m_span.sendsRange()) {
            // The body starts at byte 0, not where the partial ends; with If-Range sent and
            // another validator back, because the file holds bytes of an older version.
            (otherVersion ? m_changed : m_rangeIgnored) = true;
            return false;
        }
    } else if (m_status >= 200 && m_status < 300) {
        m_rejection = u"the media server answered HTTP %1 without the recording"_s.arg(m_status);
        return false;
    } else {
        return true; // an error or a redirect: its body is not the recording
    }
    if (!contentLength.isEmpty() && contentLength.toLongLong() != spanLength) {
        m_rejection = u"the media server announced %1 bytes where %2 were expected"_s.arg(
            QString::fromLatin1(contentLength.left(20)))
                          .arg(spanLength);
        return false;
    }
    m_bodyAccepted = true;
    {
        const std::lock_guard lock(m_validatorMutex);
        m_validator = validator;
    }
    if (m_bodyWaits)
        m_bodyWaits();
    return true;
}

void MediaTransfer::holdFirstChunkUntilReleased(std::function<void()> bodyWaits)
{
    m_holdsFirstChunk = true;
    m_bodyWaits = std::move(bodyWaits);
}

QByteArray MediaTransfer::validator() const
{
    const std::lock_guard lock(m_validatorMutex);
    return m_validator;
}

size_t MediaTransfer::onBody(char *data, size_t size, size_t count, void *self)
{
    return static_cast<MediaTransfer *>(self)->takeBody(data, size * count);
}

size_t MediaTransfer::takeBody(const char *data, size_t size)
{
    if (!m_bodyAccepted) {
        const qsizetype keep = std::min<qsizetype>(static_cast<qsizetype>(size), kMaxErrorBody - m_errorBody.size());
        if (keep > 0)
            m_errorBody.append(data, keep);
        return size;
    }
    if (m_sink->hasFailed()) {
        m_sinkFailed = true;
        return 0;
    }
    qint64 length = static_cast<qint64>(size);
    if (m_position + length > m_span.end) {
        m_oversized = true;
        return 0;
    }
    // A boundary the stream already passed moves to the next chunk: at most that one
    // chunk is then fetched by both transfers.
    qint64 stopAt = m_stopAt.load();
    if (stopAt < m_position)
        stopAt = std::min(m_span.end, (m_position + m_span.chunkSize - 1) / m_span.chunkSize * m_span.chunkSize);
    const bool stopsHere = stopAt < m_span.end && m_position + length >= stopAt;
    if (stopsHere)
        length = stopAt - m_position;

    const char *cursor = data;
    qint64 left = length;
    bool storedAChunk = false;
    while (left > 0) {
        const qint64 room = m_span.chunkSize - m_chunk.size();
        const qint64 take = std::min(room, left);
        m_chunk.append(cursor, static_cast<qsizetype>(take));
        cursor += take;
        left -= take;
        m_position += take;
        if (m_chunk.size() == m_span.chunkSize || m_position == m_span.recordingSize) {
            if (!flushChunk()) {
                m_sinkFailed = true;
                return 0;
            }
            storedAChunk = true;
        }
    }
    m_receivedUpTo = m_position;
    if (m_budget)
        m_budget->take(length);
    if (stopsHere) {
        m_stoppedEarly = true;
        return 0;
    }
    // A transfer pauses only just after a chunk went to the file, and by taking the bytes,
    // not by refusing them (CURL_WRITEFUNC_PAUSE, which leaves them with libcurl): so while
    // it waits, what it has received but not stored is the rest of this delivery and the
    // buffer libcurl reads meanwhile, under a chunk in all. The budget may go into debt
    // by up to a chunk per transfer meanwhile; it is paid back before the next bytes.
    // Held from its first delivery, the transfer has stored no chunk when it waits: that
    // delivery, the rest of libcurl's buffer and the one it reads meanwhile are under one.
    const bool waitsForRelease = m_holdsFirstChunk && !m_released.load();
    if (waitsForRelease
        || (storedAChunk && m_position < m_span.end
            && (m_sink->hashBacklogBytes() >= m_pauseAbove || (m_budget && !m_budget->mayTake())))) {
        curl_easy_pause(m_handle.get(), CURLPAUSE_RECV);
        markPaused();
    }
    return size;
}

bool MediaTransfer::flushChunk()
{
    const qint64 index = (m_position - m_chunk.size()) / m_span.chunkSize;
    QByteArray full = std::move(m_chunk);
    m_chunk = QByteArray();
    m_chunk.reserve(static_cast<qsizetype>(m_span.chunkSize));
    switch (m_sink->writeChunk(index, std::move(full))) {
    case CacheFileSink::ChunkWrite::Stored:
        // Only while every chunk before it is in the file too.
        if (!m_droppedAChunk)
            m_deliveredEnd = m_position;
        return true;
    case CacheFileSink::ChunkWrite::Dropped:
        m_droppedAChunk = true; // the engine is stopping this download (the disk is full)
        return true;
    case CacheFileSink::ChunkWrite::Failed:
        break;
    }
    return false;
}

int MediaTransfer::onProgress(void *self, curl_off_t, curl_off_t received, curl_off_t, curl_off_t)
{
    auto *transfer = static_cast<MediaTransfer *>(self);
    if (transfer->isCancelled())
        return 1;
    if (transfer->m_stallWatch.isStalled(transfer->m_headerBytes + received, transfer->m_paused,
                                         StallWatch::Clock::now())) {
        transfer->m_stalled = true;
        return 1;
    }
    return 0;
}

void MediaTransfer::complete(CURLcode code)
{
    m_outcome = describe(code);
    m_outcome.deliveredEnd = m_deliveredEnd;
    m_outcome.validator = validator();
    m_chunk = QByteArray(); // an incomplete chunk is fetched again, never stored
}

MediaOutcome MediaTransfer::describe(CURLcode code) const
{
    using Kind = MediaOutcome::Kind;
    const QString where = http::redactedUrl(m_span.url);
    const QString detail = std::strlen(m_errorBuffer) > 0 ? QString::fromUtf8(m_errorBuffer)
                                                          : QString::fromUtf8(curl_easy_strerror(code));
    MediaOutcome outcome;
    outcome.status = m_status;
    if (code == CURLE_OK) {
        if (m_bodyAccepted) {
            if (m_position == m_span.end)
                outcome.kind = Kind::Completed;
            else
                outcome = outcomeOf(Kind::Network, m_status,
                           u"the body from %1 ended after %2 of %3 bytes"_s.arg(where).arg(m_position - m_span.first).arg(
                               m_span.end - m_span.first));
            return outcome;
        }
        if (m_status >= 300 && m_status < 400) {
            char *location = nullptr;
            curl_easy_getinfo(m_handle.get(), CURLINFO_REDIRECT_URL, &location);
            if (location) {
                outcome.kind = Kind::Redirect;
                outcome.redirectTo = QUrl::fromEncoded(QByteArray(location), QUrl::StrictMode);
                return outcome;
            }
        }
        outcome.kind = Kind::HttpError;
        outcome.message = u"the media server answered HTTP %1 for %2"_s.arg(m_status).arg(where);
        outcome.retryAfter = parseRetryAfter(m_headers.value("retry-after"), QDateTime::currentDateTimeUtc());
        return outcome;
    }
    if (m_stalled)
        return outcomeOf(Kind::Network, m_status,
                         u"the transfer from %1 stalled: less than %2 bytes per second for %3 s"_s.arg(where)
                             .arg(m_stallWatch.slowestBytesPerSecond())
                             .arg(static_cast<double>(m_stallWatch.window().count()) / 1000.0));
    if (m_stoppedEarly)
        return outcomeOf(Kind::StoppedEarly, m_status, {});
    if (m_changed)
        return outcomeOf(Kind::Changed, m_status,
                         u"the recording at %1 is no longer the version the partial download holds "
                         "(its ETag or Last-Modified changed)"_s.arg(where));
    if (m_rangeIgnored)
        return outcomeOf(Kind::RangeIgnored, m_status,
                u"the media server at %1 ignored the Range header (HTTP 200 instead of 206)"_s.arg(where));
    if (!m_rejection.isEmpty())
        return outcomeOf(Kind::Mismatch, m_status, m_rejection);
    if (m_oversized)
        return outcomeOf(Kind::Mismatch, m_status, u"the media server sent more bytes than were asked for"_s);
    if (m_sinkFailed)
        return outcomeOf(Kind::SinkFailed, m_status, u"the cache file could not be written"_s);
    switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
        return outcomeOf(Kind::Cancelled, m_status, u"stopped"_s);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return outcomeOf(Kind::Refused, 0, u"refusing %1: only http and https are allowed"_s.arg(where));
    case CURLE_PEER_FAILED_VERIFICATION:
        return outcomeOf(Kind::Failed, 0, m_settings.connection.trust.refusedCertificateMessage(m_handle.get(), where, detail));
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return outcomeOf(Kind::Network, m_status, u"the transfer from %1 broke off or stalled (%2)"_s.arg(where, detail));
    default:
        return outcomeOf(Kind::Failed, m_status, u"the transfer from %1 failed (%2)"_s.arg(where, detail));
    }
}

} // namespace earshot
