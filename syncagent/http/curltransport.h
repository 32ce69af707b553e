#pragma once

#include "http/curlhandles.h"
#include "http/httptransport.h"
#include "http/connectionpolicy.h"

#include <atomic>
#include <chrono>

namespace earshot::http {

struct CurlTransportOptions
{
    ConnectionPolicy connection;
    int maxRedirects = 5;
    qsizetype maxBufferedBody = 64 * 1024 * 1024; // a page of 1000 calls is about 1 MB
    // Polled during transfers; when it turns true the transfer is abandoned cleanly.
    const std::atomic<bool> *stopRequested = nullptr;
};

// HttpTransport over one libcurl easy handle, reused so that consecutive requests to
// the same host share a kept-alive connection. Not thread-safe: one per thread.
class CurlTransport final : public HttpTransport
{
public:
    explicit CurlTransport(CurlTransportOptions options);
    ~CurlTransport() override;
    CurlTransport(const CurlTransport &) = delete;
    CurlTransport &operator=(const CurlTransport &) = delete;

    Result<HttpResponse, TransferError> perform(const HttpRequest &request, HttpBodySink *sink = nullptr) override;

private:
    Result<HttpResponse, TransferError> performOnce(const HttpRequest &request, HttpBodySink *sink);

    CurlTransportOptions m_options;
    CurlEasyHandle m_handle;
};

} // namespace earshot::http
