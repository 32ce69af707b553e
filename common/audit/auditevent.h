#pragma once

#include <QJsonObject>
#include <QString>

namespace earshot {

// What happened, as the caller knows it; the log adds identity, time, client and chain.
struct AuditEventDraft
{
    QString type; // recording.played, recording.downloaded, recording.exported,
                  // recording.deleted_local, session.login, session.logout
    QString userId;
    QString callId{};
    QString recordingId{};
    QString reason{};
    QString sha256{};
    QString destination{};
};

struct AuditClient
{
    QString host;
    QString os;
    QString appVersion;

    static AuditClient current();
};

struct AuditEvent
{
    AuditEventDraft draft;
    QString eventId;
    QString occurredAt; // RFC 3339 UTC with milliseconds
    AuditClient client;
    QString prevHash;
    QString hash;

    // The event as sent to POST /api/audit/events; without "hash" it is what is hashed.
    QJsonObject toJson(bool withHash = true) const;
    QString computeHash() const;
};

constexpr auto kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

} // namespace earshot
