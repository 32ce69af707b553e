// The Range request header (RFC 9110 §14): one byte range, "bytes=a-b", "bytes=a-" or
// "bytes=-n". Anything else is ignored the way the RFC allows (the whole file is sent).
#pragma once

#include <QtCore/QByteArray>
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

// What identifies one version of a served file (RFC 9110 §8.8), made the way nginx makes
// them: a strong ETag from its modification time and size, and Last-Modified.
struct FileValidators
{
    QByteArray etag;
    QByteArray lastModified;
};

FileValidators fileValidators(qint64 modifiedMs, qint64 size);

// If-Range (RFC 9110 §13.1.5): a Range is honoured only when If-Range is absent or names
// the current version exactly (a strong ETag, or the Last-Modified date); otherwise the
// whole file is sent, so that a client never joins bytes of two versions.
bool ifRangeAllowsRange(QByteArrayView ifRange, const FileValidators &current);

} // namespace earshot::refserver
