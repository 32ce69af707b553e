// Canonical JSON for audit-event hashes: object keys sorted by UTF-16 code units, no
// insignificant whitespace, UTF-8, strings escaped as in RFC 8785 (JCS): only '"', '\\'
// and U+0000..U+001F, the latter as \b \t \n \f \r or \u00xx (lowercase hex). Integers
// print without a fraction; events should not carry other numbers.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonValue>

namespace earshot::refserver {

QByteArray canonicalJson(const QJsonValue &value);

} // namespace earshot::refserver
