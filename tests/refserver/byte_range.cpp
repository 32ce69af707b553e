#include "byte_range.h"
#include "decimal_digits.h"
#include "http_reply.h"

#include <optional>

namespace earshot::refserver {

ByteRangeRequest parseByteRange(QByteArrayView header, qint64 size)
{
    using Kind = ByteRangeRequest::Kind;
    header = header.trimmed();
    constexpr QByteArrayView unit = "bytes=";
    if (header.size() <= unit.size() || qstrnicmp(header.data(), unit.data(), size_t(unit.size())) != 0)
        return {};
    const QByteArrayView spec = header.sliced(unit.size()).trimmed();
    if (spec.contains(','))
        return {}; // several ranges: serving the whole body is allowed and simpler
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return {};
    const QByteArrayView firstText = spec.first(dash).trimmed();
    const QByteArrayView lastText = spec.sliced(dash + 1).trimmed();

    if (firstText.isEmpty()) { // suffix: the last n bytes
        const auto suffix = parseDecimalDigits(lastText);
        if (!suffix)
            return {};
        if (*suffix == 0 || size == 0)
            return {Kind::Unsatisfiable, 0, -1};
        return {Kind::Partial, std::max<qint64>(0, size - *suffix), size - 1};
    }
    const auto first = parseDecimalDigits(firstText);
    if (!first)
        return {};
    qint64 last = size - 1;
    if (!lastText.isEmpty()) {
        const auto parsedLast = parseDecimalDigits(lastText);
        if (!parsedLast || *parsedLast < *first)
            return {}; // syntactically invalid: ignore the header
        last = std::min(*parsedLast, size - 1);
    }
    if (*first >= size)
        return {Kind::Unsatisfiable, 0, -1};
    return {Kind::Partial, *first, last};
}

FileValidators fileValidators(qint64 modifiedMs, qint64 size)
{
    const qint64 seconds = modifiedMs / 1000;
    return {'"' + QByteArray::number(seconds, 16) + '-' + QByteArray::number(size, 16) + '"', httpDateOf(seconds)};
}

bool ifRangeAllowsRange(QByteArrayView ifRange, const FileValidators &current)
{
    ifRange = ifRange.trimmed();
    if (ifRange.isEmpty())
        return true;
    if (ifRange.startsWith("W/"))
        return false; // a weak tag never matches in If-Range
    if (ifRange.startsWith('"'))
        return ifRange == current.etag;
    return ifRange == current.lastModified;
}

} // namespace earshot::refserver
