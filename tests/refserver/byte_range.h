// The Range request header (RFC 9110 §14): one byte range, "bytes=a-b", "bytes=a-" or
// "bytes=-n". Anything else is ignored the way the RFC allows (the whole file is sent).
#pragma once

#include <QtCore/QByteArrayView>

namespace earshot::refserver {

struct ByteRangeRequest
{
    enum class Kind {
        Whole,         // no usable Range header: 200 with the whole body
        Partial,       // 206 with first..last (inclusive)
        Unsatisfiable, // 416 with Content-Range: bytes */SIZE
    };
    Kind kind = Kind::Whole;
    qint64 first = 0;
    qint64 last = -1;

    qint64 length() const { return last - first + 1; }
};

ByteRangeRequest parseByteRange(QByteArrayView header, qint64 size);

} // namespace earshot::refserver
