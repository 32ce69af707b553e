#pragma once

#include "http/tlstrust.h"

#include <QByteArray>

#include <curl/curl.h>

#include <chrono>

namespace earshot::http {

// What every request the agent makes shares, API or media: who we say we are, whom we
// trust, and when a connection counts as dead. Both transports apply it the same way so
// that a safety setting cannot be forgotten on one of them.
struct ConnectionPolicy
{
    QByteArray userAgent;
    std::chrono::seconds connectTimeout{15};
    // Stall detection: a transfer that moves less than stallBytesPerSecond for stallTime
    // is abandoned instead of hanging the agent on a dead connection. One byte per second
    // suits the API (the event stream is quiet between heartbeats); recording downloads
    // add a real floor of their own on top (MediaTransferSettings, StallWatch).
    std::chrono::seconds stallTime{30};
    long stallBytesPerSecond = 1;
    TlsTrust trust;

    // http(s) only, redirects handed back to the caller (each hop is checked against the
    // URL policy), no signals, TLS verified against `trust`, and the stall timeouts.
    void applyTo(CURL *handle) const;
};

} // namespace earshot::http
