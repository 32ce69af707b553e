#pragma once

#include "expected.h"

#include <QUrl>

namespace earshot::http {

// Where the agent may send a request at all: http or https, and plain http only to
// this computer (tests, a local proxy), because tokens and recordings must never cross a
// network unencrypted. Checked for every request and every redirect hop.
Status checkTransferUrl(const QUrl &url);

// A redirect hop: `to` must pass checkTransferUrl, and a request made over https is never
// sent on over plain http, not even to this computer (a signed link or a token would
// travel unencrypted past whatever listens there).
Status checkRedirect(const QUrl &from, const QUrl &to);

bool isLoopbackHost(const QString &host);

} // namespace earshot::http
