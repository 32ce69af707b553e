#pragma once

#include <QString>
#include <QUrl>

namespace earshot::http {

// A URL fit for a log line or an error message. Signed recording URLs carry their
// signature in the query, and a URL may carry user info: both are cut, so nothing that
// grants access ever reaches a log, a terminal or the store's last_error column.
QString redactedUrl(const QUrl &url);

} // namespace earshot::http
