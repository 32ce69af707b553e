// The server side of the audit trail: the policy clients must follow and the events they
// report, stored once per event_id.
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

namespace earshot::refserver {

class Database;

struct AuditPolicy
{
    bool requireReason = false;
    bool requireServerAckBeforeExport = true;
    int localRetentionDays = 30;
    bool allowOfflinePlayback = true;

    QJsonObject toJson() const;
};

struct StoredAuditEvent
{
    qint64 seq = 0;
    QJsonObject event;
    QString submittedBy;
    QString source; // "client" (POST /api/audit/events) or "downloads_endpoint"
    qint64 receivedAtMs = 0;
};

class AuditStore
{
public:
    explicit AuditStore(Database &db);

    bool load();

    const AuditPolicy &policy() const { return m_policy; }
    // Applies the members present; false with *error on a wrong type or value.
    bool updatePolicy(const QJsonObject &changes, QString *error);

    enum class StoreResult { Stored, Duplicate, Conflict, Failed };
    // Duplicate: the same event_id with the same hash was stored before (a resend).
    // Conflict: the event_id was stored with different content.
    StoreResult store(const QJsonObject &event, const QString &submittedBy, QLatin1StringView source);

    QList<StoredAuditEvent> page(qint64 afterSeq, int limit, bool *hasMore);

private:
    Database &m_db;
    AuditPolicy m_policy;
};

} // namespace earshot::refserver
