#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

#include <curl/curl.h>

namespace earshot::http {

// Which certificate authorities the agent trusts for https: the system's, plus optionally
// one extra CA file (a company CA in front of the server or its media store). TLS is
// always verified; this only widens whom to believe. libcurl's CAINFO would replace the
// system bundle rather than add to it, so the extra CA is appended to a copy of the
// default bundle and handed to libcurl as an in-memory blob.
class TlsTrust
{
public:
    TlsTrust() = default; // the system's CAs only

    // Fails with a message naming the file when it is unreadable or holds no certificate.
    static Expected<TlsTrust> withExtraCaFile(const QString &path);

    // Sets the CA options on an easy handle (verification itself is always on).
    void applyTo(CURL *handle) const;

    bool hasExtraCa() const { return !m_bundle.isEmpty(); }

    // What to tell the user when a transfer on `handle` refused a server's certificate:
    // `where` is the redacted URL, `detail` libcurl's reason. Suggests --ca-file only when
    // none was given and the issuer was unknown (or, with a TLS backend that does not say,
    // may have been); says so when the given CA did not issue it either.
    QString refusedCertificateMessage(CURL *handle, const QString &where, const QString &detail) const;

private:
    QByteArray m_bundle; // PEM: the system bundle followed by the extra CA; empty: libcurl's default
};

} // namespace earshot::http
