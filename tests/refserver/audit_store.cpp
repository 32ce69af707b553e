#include "audit_store.h"

#include "database.h"
#include "logging.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtSql/QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

const QString PolicyKey = u"audit_policy"_s;

} // namespace

QJsonObject AuditPolicy::toJson() const
{
    return {{u"require_reason"_s, requireReason},
            {u"require_server_ack_before_export"_s, requireServerAckBeforeExport},
            {u"local_retention_days"_s, localRetentionDays},
            {u"allow_offline_playback"_s, allowOfflinePlayback}};
}

AuditStore::AuditStore(Database &db) : m_db(db) { }

bool AuditStore::load()
{
    const QString stored = m_db.meta(PolicyKey);
    if (stored.isEmpty())
        return true;
    QString error;
    if (!updatePolicy(QJsonDocument::fromJson(stored.toUtf8()).object(), &error)) {
        qCWarning(lcRefServer) << "ignoring the stored audit policy:" << error;
        m_policy = AuditPolicy();
    }
    return true;
}

bool AuditStore::updatePolicy(const QJsonObject &changes, QString *error)
{
    AuditPolicy next = m_policy;
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const QString &key = it.key();
        const QJsonValue value = it.value();
        bool *flag = key == "require_reason"_L1                     ? &next.requireReason
                     : key == "require_server_ack_before_export"_L1 ? &next.requireServerAckBeforeExport
                     : key == "allow_offline_playback"_L1           ? &next.allowOfflinePlayback
                                                                    : nullptr;
        if (flag && value.isBool()) {
            *flag = value.toBool();
        } else if (key == "local_retention_days"_L1 && value.isDouble() && value.toDouble() >= 0
                   && value.toDouble() <= 3650) {
            next.localRetentionDays = value.toInt();
        } else {
            *error = u"unknown policy field or wrong type: %1"_s.arg(key);
            return false;
        }
    }
    m_policy = next;
    return m_db.setMeta(PolicyKey, QString::fromUtf8(QJsonDocument(m_policy.toJson()).toJson(QJsonDocument::Compact)));
}

AuditStore::StoreResult AuditStore::store(const QJsonObject &event, const QString &submittedBy,
                                          QLatin1StringView source)
{
    const QString eventId = event.value("event_id"_L1).toString();
    const QString hash = event.value("hash"_L1).toString().toLower();
    QSqlQuery existing = m_db.prepare(u"SELECT hash FROM audit_events WHERE event_id = ?"_s);
    existing.addBindValue(eventId);
    if (!existing.exec()) {
        logQueryError(existing, "look up audit event");
        return StoreResult::Failed;
    }
    if (existing.next())
        return existing.value(0).toString() == hash ? StoreResult::Duplicate : StoreResult::Conflict;

    QSqlQuery insert = m_db.prepare(u"INSERT INTO audit_events(event_id, type, hash, body, submitted_by, "
                                    "source, received_at) VALUES(?, ?, ?, ?, ?, ?, ?)"_s);
    insert.addBindValue(eventId);
    insert.addBindValue(event.value("type"_L1).toString());
    insert.addBindValue(hash);
    insert.addBindValue(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
    insert.addBindValue(submittedBy);
    insert.addBindValue(QString(source));
    insert.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!insert.exec()) {
        logQueryError(insert, "store audit event");
        return StoreResult::Failed;
    }
    return StoreResult::Stored;
}

QList<StoredAuditEvent> AuditStore::page(qint64 afterSeq, int limit, bool *hasMore)
{
    QSqlQuery query = m_db.prepare(u"SELECT seq, body, submitted_by, source, received_at FROM audit_events "
                                   "WHERE seq > ? ORDER BY seq LIMIT ?"_s);
    query.addBindValue(afterSeq);
    query.addBindValue(limit + 1);
    QList<StoredAuditEvent> events;
    *hasMore = false;
    if (!query.exec()) {
        logQueryError(query, "audit page");
        return events;
    }
    while (query.next()) {
        if (events.size() == limit) {
            *hasMore = true;
            break;
        }
        events.append({query.value(0).toLongLong(),
                       QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object(),
                       query.value(2).toString(), query.value(3).toString(), query.value(4).toLongLong()});
    }
    return events;
}

} // namespace earshot::refserver
