#include "http/curltransport.h"

#include "agentlogging.h"
#include "http/urlpolicy.h"
#include "http/urlredaction.h"

#include <QElapsedTimer>

#include <cstring>

using namespace Qt::StringLiterals;

namespace earshot::http {

namespace {

// State shared with the libcurl callbacks for one exchange.
struct Exchange
{
    CURL *handle = nullptr;
    HttpBodySink *sink = nullptr;
    const std::atomic<bool> *stopRequested = nullptr;
    qsizetype maxBufferedBody = 0;
    HttpResponse response;
    bool statusKnown = false;
    bool bodyTooLarge = false;
    bool sinkFailed = false;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    bool bodyGoesToSink()
    {
        if (!statusKnown) {
            long status = 0;
            curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
            response.status = static_cast<int>(status);
            statusKnown = true;
        }
        return sink && response.isSuccess();
    }
};

size_t onBody(char *data, size_t size, size_t count, void *userData)
{
    auto *exchange = static_cast<Exchange *>(userData);
    const size_t bytes = size * count;
    const auto chunk = QByteArrayView(data, static_cast<qsizetype>(bytes));
    exchange->response.bodyBytes += chunk.size();
    if (exchange->bodyGoesToSink()) {
        if (!exchange->sink->write(chunk)) {
            exchange->sinkFailed = true;
            return 0; // makes curl stop with CURLE_WRITE_ERROR
        }
        return bytes;
    }
    if (exchange->response.body.size() + chunk.size() > exchange->maxBufferedBody) {
        exchange->bodyTooLarge = true;
        return 0;
    }
    exchange->response.body.append(chunk);
    return bytes;
}

size_t onHeader(char *data, size_t size, size_t count, void *userData)
{
    auto *exchange = static_cast<Exchange *>(userData);
    const size_t bytes = size * count;
    const QByteArray line = QByteArray(data, static_cast<qsizetype>(bytes)).trimmed();
    if (line.startsWith("HTTP/")) {
        // A new answer begins (after a 100 Continue, say): only the last one counts.
        exchange->response.headers.clear();
        exchange->statusKnown = false;
        return bytes;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon > 0)
        exchange->response.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    return bytes;
}

int onProgress(void *userData, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *exchange = static_cast<const Exchange *>(userData);
    return exchange->stopRequested && exchange->stopRequested->load() ? 1 : 0;
}

bool isFollowableRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0
        && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && a.port() == b.port();
}

TransferError describeFailure(CURLcode code, const Exchange &exchange, const HttpRequest &request,
                              const TlsTrust &trust)
{
    using Kind = TransferError::Kind;
    const QString where = redactedUrl(request.url);
    if (exchange.sinkFailed)
        return {Kind::SinkFailed, exchange.sink->errorString()};
    if (exchange.bodyTooLarge)
        return {Kind::Failed, u"the answer from %1 is larger than %2 MB; refusing to buffer it"_s.arg(where).arg(
                                  exchange.maxBufferedBody / (1024 * 1024))};
    // The error buffer has the specific reason; it names hosts, never full URLs.
    const QString detail = std::strlen(exchange.errorBuffer) > 0 ? QString::fromUtf8(exchange.errorBuffer)
                                                                 : QString::fromUtf8(curl_easy_strerror(code));
    switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
        return {Kind::Cancelled, u"transfer from %1 stopped on request"_s.arg(where)};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return {Kind::Unreachable, u"cannot connect to %1 (%2)"_s.arg(where, detail)};
    case CURLE_OPERATION_TIMEDOUT:
        return {Kind::TimedOut, u"%1 did not answer in time or the transfer stalled (%2)"_s.arg(where, detail)};
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return {Kind::Interrupted, u"the connection to %1 broke off (%2)"_s.arg(where, detail)};
    case CURLE_UNSUPPORTED_PROTOCOL:
        return {Kind::Refused, u"refusing %1: only http and https are allowed"_s.arg(where)};
    case CURLE_PEER_FAILED_VERIFICATION:
        return {Kind::Failed, trust.refusedCertificateMessage(exchange.handle, where, detail)};
    default:
        return {Kind::Failed, u"transfer from %1 failed (%2)"_s.arg(where, detail)};
    }
}

} // namespace

CurlTransport::CurlTransport(CurlTransportOptions options)
    : m_options(std::move(options))
    , m_handle(curl_easy_init())
{
}

CurlTransport::~CurlTransport() = default;

Result<HttpResponse, TransferError> CurlTransport::perform(const HttpRequest &request, HttpBodySink *sink)
{
    // Redirects are followed here rather than by curl, so that every hop passes the URL
    // policy (no https -> plain http downgrade) and credentials never follow to another host.
    // Each hop's address is checked once: the first here, the others as redirect targets.
    if (Status allowed = checkTransferUrl(request.url); !allowed)
        return TransferError{TransferError::Kind::Refused, allowed.error()};
    HttpRequest current = request;
    for (int hop = 0;; ++hop) {
        auto result = performOnce(current, sink);
        if (!result || !isFollowableRedirect(result->status) || current.method != "GET")
            return result;
        if (hop == m_options.maxRedirects)
            return TransferError{TransferError::Kind::Failed,
                                 u"%1 redirected more than %2 times"_s.arg(redactedUrl(request.url)).arg(hop)};
        char *location = nullptr;
        curl_easy_getinfo(m_handle.get(), CURLINFO_REDIRECT_URL, &location);
        if (!location)
            return result; // a redirect without a usable Location: let the caller see the status
        const QUrl next = QUrl::fromEncoded(QByteArray(location), QUrl::StrictMode);
        qCDebug(lcHttp) << "redirect" << result->status << redactedUrl(current.url) << "->" << redactedUrl(next);
        if (Status allowed = checkRedirect(current.url, next); !allowed)
            return TransferError{TransferError::Kind::Refused, allowed.error()};
        if (!sameOrigin(current.url, next)) {
            current.headers.removeIf([](const auto &header) {
                return header.first.compare("Authorization", Qt::CaseInsensitive) == 0;
            });
        }
        current.url = next;
    }
}

Result<HttpResponse, TransferError> CurlTransport::performOnce(const HttpRequest &request, HttpBodySink *sink)
{
    if (!m_handle)
        return TransferError{TransferError::Kind::Failed, u"libcurl could not create a transfer handle"_s};
    CURL *handle = m_handle.get();
    // Reset forgets the previous request's options but keeps its live connections.
    curl_easy_reset(handle);

    Exchange exchange;
    exchange.handle = handle;
    exchange.sink = sink;
    exchange.stopRequested = m_options.stopRequested;
    exchange.maxBufferedBody = m_options.maxBufferedBody;

    CurlHeaderList headerList;
    for (const auto &[name, value] : request.headers) {
        if (!headerList.append(name + ": " + value))
            return TransferError{TransferError::Kind::Failed, u"out of memory building request headers"_s};
    }

    const QByteArray url = request.url.toEncoded();
    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    m_options.connection.applyTo(handle);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, exchange.errorBuffer);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &onProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    if (!sink) {
        // JSON compresses well; recordings are not compressed, so that the byte count
        // checked against Content-Length and size_bytes is the count of stored bytes.
        curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
    }
    if (request.method == "POST") {
        curl_easy_setopt(handle, CURLOPT_POST, 1L);
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(handle, CURLOPT_COPYPOSTFIELDS, request.body.constData());
    } else if (request.method != "GET") {
        curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.constData());
    }

    QElapsedTimer timer;
    timer.start();
    const CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK) {
        TransferError error = describeFailure(code, exchange, request, m_options.connection.trust);
        qCDebug(lcHttp) << request.method << redactedUrl(request.url) << "failed after" << timer.elapsed()
                        << "ms:" << error.message;
        return error;
    }

    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t contentLength = -1;
    curl_easy_getinfo(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &contentLength);
    exchange.response.status = static_cast<int>(status);
    exchange.response.contentLength = static_cast<qint64>(contentLength);
    qCDebug(lcHttp) << request.method << redactedUrl(request.url) << "->" << status << exchange.response.bodyBytes
                    << "bytes in" << timer.elapsed() << "ms";
    return std::move(exchange.response);
}

} // namespace earshot::http
