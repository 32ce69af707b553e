#pragma once

#include <QByteArrayView>

#include <optional>

namespace earshot::refserver {

// Strict unsigned decimal: digits only, no sign, no spaces, at most 18 of them (so it
// cannot overflow). Range headers and cursors are parsed with this rather than with
// toLongLong(), which accepts signs and surrounding space a hostile client could use.
inline std::optional<qint64> parseDecimalDigits(QByteArrayView digits)
{
    if (digits.isEmpty() || digits.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace earshot::refserver
