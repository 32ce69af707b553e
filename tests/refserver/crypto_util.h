// Small cryptographic helpers: random secrets, digests and equal-time comparison.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

namespace earshot::refserver {

QByteArray randomBytes(qsizetype count);

// Lowercase hex of SHA-256.
QByteArray sha256Hex(QByteArrayView data);

// Lowercase hex of HMAC-SHA256.
QByteArray hmacSha256Hex(QByteArrayView key, QByteArrayView message);

// Equal-time comparison for secrets.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace earshot::refserver
