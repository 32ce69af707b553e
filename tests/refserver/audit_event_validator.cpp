#include "audit_event_validator.h"

#include "canonical_json.h"
#include "crypto_util.h"

#include <QtCore/QDateTime>
#include <QtCore/QRegularExpression>
#include <QtCore/QUuid>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

bool isHex64(const QString &text)
{
    static const QRegularExpression hex(u"^[0-9a-fA-F]{64}$"_s);
    return hex.match(text).hasMatch();
}

bool isUuid(const QString &text)
{
    return text.size() == 36 && !QUuid::fromString(text).isNull();
}

bool isRfc3339(const QString &text)
{
    static const QRegularExpression shape(
        u"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$"_s);
    return shape.match(text).hasMatch() && QDateTime::fromString(text, Qt::ISODateWithMs).isValid();
}

bool isOptionalString(const QJsonObject &event, QLatin1StringView key, qsizetype maxLength)
{
    if (!event.contains(key) || event.value(key).isNull())
        return true;
    const QJsonValue value = event.value(key);
    return value.isString() && value.toString().size() <= maxLength;
}

bool isNonEmptyString(const QJsonValue &value, qsizetype maxLength)
{
    return value.isString() && !value.toString().isEmpty() && value.toString().size() <= maxLength;
}

} // namespace

bool isKnownAuditType(const QString &type)
{
    static const QStringList types = {u"recording.played"_s,   u"recording.downloaded"_s,
                                      u"recording.exported"_s, u"recording.deleted_local"_s,
                                      u"session.login"_s,      u"session.logout"_s};
    return types.contains(type);
}

QByteArray expectedAuditHash(const QJsonObject &event)
{
    QJsonObject withoutHash = event;
    withoutHash.remove("hash"_L1);
    return sha256Hex(canonicalJson(withoutHash));
}

QString auditEventError(const QJsonObject &event)
{
    if (!isUuid(event.value("event_id"_L1).toString()))
        return u"invalid_event_id"_s;
    const QString type = event.value("type"_L1).toString();
    if (!isKnownAuditType(type))
        return u"invalid_type"_s;
    if (!isNonEmptyString(event.value("user_id"_L1), 128))
        return u"invalid_user_id"_s;
    if (!isRfc3339(event.value("occurred_at"_L1).toString()))
        return u"invalid_occurred_at"_s;
    if (!isOptionalString(event, "call_id"_L1, 128) || !isOptionalString(event, "recording_id"_L1, 128))
        return u"invalid_identifier"_s;
    if (type.startsWith("recording."_L1) && event.value("call_id"_L1).toString().isEmpty()
        && event.value("recording_id"_L1).toString().isEmpty())
        return u"missing_recording_reference"_s;
    if (!isOptionalString(event, "reason"_L1, 2000) || !isOptionalString(event, "destination"_L1, 2000))
        return u"invalid_field"_s;
    if (event.contains("sha256"_L1) && !event.value("sha256"_L1).isNull()
        && !isHex64(event.value("sha256"_L1).toString()))
        return u"invalid_sha256"_s;
    const QJsonObject client = event.value("client"_L1).toObject();
    if (!isNonEmptyString(client.value("host"_L1), 256) || !isNonEmptyString(client.value("os"_L1), 256)
        || !isNonEmptyString(client.value("app_version"_L1), 64))
        return u"invalid_client"_s;
    // The first event of a client has nothing to chain to: "" or null (64 zeros also work).
    const QJsonValue prevHash = event.value("prev_hash"_L1);
    if (!event.contains("prev_hash"_L1)
        || !(prevHash.isNull() || (prevHash.isString() && (prevHash.toString().isEmpty()
                                                           || isHex64(prevHash.toString())))))
        return u"invalid_prev_hash"_s;
    const QString hash = event.value("hash"_L1).toString();
    if (!isHex64(hash))
        return u"invalid_hash"_s;
    if (hash.toLower().toLatin1() != expectedAuditHash(event))
        return u"hash_mismatch"_s;
    return {};
}

} // namespace earshot::refserver
