#include "transfer/contentrange.h"

#include <QByteArray>

namespace earshot {

namespace {

std::optional<qint64> parseNumber(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

std::optional<ContentRange> parseContentRange(QByteArrayView value)
{
    const QByteArray text = value.trimmed().toByteArray();
    if (!text.startsWith("bytes "))
        return std::nullopt;
    const QByteArray spec = text.mid(6).trimmed();
    const qsizetype slash = spec.indexOf('/');
    if (slash < 0)
        return std::nullopt;
    ContentRange range;
    const QByteArray totalText = spec.mid(slash + 1).trimmed();
    if (totalText != "*") {
        const auto total = parseNumber(totalText);
        if (!total)
            return std::nullopt;
        range.total = *total;
    }
    const QByteArray rangeText = spec.left(slash).trimmed();
    if (rangeText == "*")
        return range;
    const qsizetype dash = rangeText.indexOf('-');
    if (dash < 0)
        return std::nullopt;
    const auto first = parseNumber(QByteArrayView(rangeText).first(dash));
    const auto last = parseNumber(QByteArrayView(rangeText).sliced(dash + 1));
    if (!first || !last || *last < *first || (range.total >= 0 && *last >= range.total))
        return std::nullopt;
    range.first = *first;
    range.last = *last;
    return range;
}

} // namespace earshot
