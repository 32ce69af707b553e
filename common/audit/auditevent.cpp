#include "audit/auditevent.h"

#include "audit/canonicaljson.h"

#include <QCryptographicHash>
#include <QSysInfo>

using namespace Qt::StringLiterals;

namespace earshot {

AuditClient AuditClient::current()
{
    return {QSysInfo::machineHostName(), QSysInfo::prettyProductName(), QStringLiteral(EARSHOT_VERSION)};
}

QJsonObject AuditEvent::toJson(bool withHash) const
{
    QJsonObject object{
        {"event_id"_L1, eventId},
        {"type"_L1, draft.type},
        {"user_id"_L1, draft.userId},
        {"occurred_at"_L1, occurredAt},
        {"client"_L1, QJsonObject{{"host"_L1, client.host}, {"os"_L1, client.os}, {"app_version"_L1, client.appVersion}}},
        {"prev_hash"_L1, prevHash},
    };
    // Optional members are absent, not null, when unknown: the hash covers what is sent.
    const std::pair<QLatin1StringView, const QString *> optional[] = {
        {"call_id"_L1, &draft.callId},         {"recording_id"_L1, &draft.recordingId},
        {"reason"_L1, &draft.reason},          {"sha256"_L1, &draft.sha256},
        {"destination"_L1, &draft.destination},
    };
    for (const auto &[key, value] : optional) {
        if (!value->isEmpty())
            object.insert(key, *value);
    }
    if (withHash)
        object.insert("hash"_L1, hash);
    return object;
}

QString AuditEvent::computeHash() const
{
    return QString::fromLatin1(
        QCryptographicHash::hash(canonicalJson(toJson(false)), QCryptographicHash::Sha256).toHex());
}

} // namespace earshot
