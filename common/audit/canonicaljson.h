#pragma once

#include <QByteArray>
#include <QJsonValue>

namespace earshot {

// The canonical JSON the audit hash is computed over (docs/server-api.md, "The hash"):
// members sorted by key, no whitespace, UTF-8, only '"', '\' and control characters
// escaped, integers only. RFC 8785 restricted to the types audit events carry; the
// server recomputes it byte for byte, so this must not drift.
QByteArray canonicalJson(const QJsonValue &value);

} // namespace earshot
