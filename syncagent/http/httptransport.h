#pragma once

#include "http/httptypes.h"
#include "result.h"

namespace earshot::http {

// One HTTP exchange at a time: the request goes out, the answer (or a transfer error)
// comes back, a 2xx body optionally streams into a sink. Redirects are followed within
// the URL policy. Everything above (API client, downloads) depends only on this, so the
// later download engine can put a curl multi implementation with parallel transfers
// behind the same request/sink/response types.
class HttpTransport
{
public:
    virtual ~HttpTransport() = default;
    virtual Result<HttpResponse, TransferError> perform(const HttpRequest &request, HttpBodySink *sink = nullptr) = 0;
};

} // namespace earshot::http
