#pragma once

#include "expected.h"

#include <QString>
#include <QUrl>
#include <QUrlQuery>

namespace earshot {

// The Earshot server the agent talks to, as the user named it (it may carry a path
// prefix, e.g. https://crm.example/earshot). Builds endpoint URLs so that no server
// identifier can change the shape of a path.
class ServerAddress
{
public:
    // Accepts http(s) URLs without query or fragment; plain http only to loopback.
    static Expected<ServerAddress> parse(const QString &text);

    const QUrl &baseUrl() const { return m_base; }
    // scheme://host[:port]: what a session belongs to, and the keychain key's suffix.
    QString origin() const;

    // path starts with '/', e.g. "/api/calls".
    QUrl endpoint(QStringView path, const QUrlQuery &query = {}) const;
    // /api/calls/{id}{suffix}, the id percent-encoded as one opaque segment.
    QUrl callEndpoint(const QString &callId, QStringView suffix = {}) const;

private:
    explicit ServerAddress(QUrl base) : m_base(std::move(base)) {}
    QUrl m_base;
};

} // namespace earshot
