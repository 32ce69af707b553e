// Appending JSON text straight into a QByteArray. The calls endpoint renders up to 1000
// rows per page, and building QJsonObjects for them would cost more than the database
// query; the rest of the server uses QJsonDocument.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QStringView>

namespace earshot::refserver::json {

// A JSON string literal, quotes included, UTF-8, with the escaping of RFC 8785 (only '"',
// '\\' and control characters are escaped).
void appendString(QByteArray &out, QStringView text);
void appendString(QByteArray &out, QByteArrayView utf8);

void appendInt(QByteArray &out, qint64 value);

// Shortest round-trip representation ("15.266").
void appendDouble(QByteArray &out, double value);

// RFC 3339 UTC, quoted: "2026-03-14T10:22:31Z", or with withMillis "…31.123Z".
void appendTimestamp(QByteArray &out, qint64 msSinceEpoch, bool withMillis);

QByteArray timestamp(qint64 msSinceEpoch, bool withMillis); // unquoted

} // namespace earshot::refserver::json
