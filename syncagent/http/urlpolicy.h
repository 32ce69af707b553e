#pragma once

#include "expected.h"

#include <QUrl>

namespace earshot::http {

// Where the agent may send a request at all: http or https, and plain http only to
// this computer (tests, a local proxy), because tokens and recordings must never cross a
// network unencrypted. Checked for every request and every redirect hop.
Status checkTransferUrl(const QUrl &url);

bool isLoopbackHost(const QString &host);

} // namespace earshot::http
