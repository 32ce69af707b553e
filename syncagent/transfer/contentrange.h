#pragma once

#include <QByteArrayView>

#include <optional>

namespace earshot {

// A Content-Range header: "bytes FIRST-LAST/TOTAL" on a 206, "bytes */TOTAL" on a 416.
// TOTAL may be "*" (unknown), which leaves total at -1.
struct ContentRange
{
    qint64 first = -1; // -1 for "bytes */TOTAL"
    qint64 last = -1;
    qint64 total = -1;
};

std::optional<ContentRange> parseContentRange(QByteArrayView value);

} // namespace earshot
