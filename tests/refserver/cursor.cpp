#include "cursor.h"
#include "decimal_digits.h"

namespace earshot::refserver {

namespace {

constexpr auto Base64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

std::optional<QByteArray> decodeBase64Url(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 512)
        return std::nullopt;
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  Base64Url | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return decoded.decoded;
}


} // namespace

QByteArray encodeCallCursor(const CallCursor &cursor)
{
    const QByteArray plain = "c1:" + QByteArray::number(cursor.updatedAtMs) + ':' + cursor.id.toUtf8();
    return plain.toBase64(Base64Url);
}

std::optional<CallCursor> decodeCallCursor(QByteArrayView text)
{
    const auto plain = decodeBase64Url(text);
    if (!plain || !plain->startsWith("c1:"))
        return std::nullopt;
    const QByteArrayView rest = QByteArrayView(*plain).sliced(3);
    const qsizetype colon = rest.indexOf(':');
    if (colon < 0)
        return std::nullopt;
    const auto updatedAt = parseDecimalDigits(rest.first(colon));
    const QByteArrayView id = rest.sliced(colon + 1);
    if (!updatedAt || id.size() > 128)
        return std::nullopt;
    return CallCursor{*updatedAt, QString::fromUtf8(id)};
}

QByteArray encodeAuditCursor(qint64 seq)
{
    return QByteArray("a1:" + QByteArray::number(seq)).toBase64(Base64Url);
}

std::optional<qint64> decodeAuditCursor(QByteArrayView text)
{
    const auto plain = decodeBase64Url(text);
    if (!plain || !plain->startsWith("a1:"))
        return std::nullopt;
    return parseDecimalDigits(QByteArrayView(*plain).sliced(3));
}

} // namespace earshot::refserver
