#include "audit/auditlog.h"

#include "store/writetransaction.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

const QStringList kEventTypes = {u"recording.played"_s,      u"recording.downloaded"_s, u"recording.exported"_s,
                                 u"recording.deleted_local"_s, u"session.login"_s,        u"session.logout"_s};

const QString kSelectEvents = u"SELECT event_id, type, call_id, recording_id, user_id, occurred_at, reason, sha256, "
                              "destination, client_json, prev_hash, hash FROM audit_events"_s;

QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

AuditEvent readEvent(const QSqlQuery &query)
{
    AuditEvent event;
    event.eventId = query.value(0).toString();
    event.draft = {query.value(1).toString(), query.value(4).toString(), query.value(2).toString(),
                   query.value(3).toString(), query.value(6).toString(), query.value(7).toString(),
                   query.value(8).toString()};
    event.occurredAt = query.value(5).toString();
    const QJsonObject client = QJsonDocument::fromJson(query.value(9).toByteArray()).object();
    event.client = {client.value("host"_L1).toString(), client.value("os"_L1).toString(),
                    client.value("app_version"_L1).toString()};
    event.prevHash = query.value(10).toString();
    event.hash = query.value(11).toString();
    return event;
}

} // namespace

AuditLog::AuditLog(QSqlDatabase db, AuditClient client)
    : m_db(std::move(db))
    , m_client(std::move(client))
{
}

Status AuditLog::validate(const AuditEventDraft &draft)
{
    if (!kEventTypes.contains(draft.type))
        return Status::failure(u"unknown audit event type \"%1\""_s.arg(draft.type));
    if (draft.userId.isEmpty())
        return Status::failure(u"an audit event needs the signed-in user"_s);
    if (draft.type.startsWith(u"recording."_s) && draft.recordingId.isEmpty() && draft.callId.isEmpty())
        return Status::failure(u"a recording event must name the recording or the call"_s);
    return Status::ok();
}

Expected<AuditEvent> AuditLog::appendWithin(const WriteTransaction &transaction, const AuditEventDraft &draft)
{
    if (!transaction.isOpen())
        return Expected<AuditEvent>::failure(u"the audit trail can only be written inside a transaction"_s);
    if (Status valid = validate(draft); !valid)
        return Expected<AuditEvent>::failure(valid.error());

    AuditEvent event;
    event.draft = draft;
    event.eventId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    event.occurredAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    event.client = m_client;
    QSqlQuery last(u"SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1"_s, m_db);
    event.prevHash = last.next() ? last.value(0).toString() : QString::fromLatin1(kGenesisHash);
    event.hash = event.computeHash();

    QSqlQuery insert(m_db);
    insert.prepare(u"INSERT INTO audit_events(event_id, type, call_id, recording_id, user_id, occurred_at, reason, "
                   "sha256, destination, client_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    for (const QVariant &value :
         {QVariant(event.eventId), QVariant(draft.type), nullable(draft.callId), nullable(draft.recordingId),
          QVariant(draft.userId), QVariant(event.occurredAt), nullable(draft.reason), nullable(draft.sha256),
          nullable(draft.destination),
          QVariant(QJsonDocument(event.toJson().value("client"_L1).toObject()).toJson(QJsonDocument::Compact)),
          QVariant(event.prevHash), QVariant(event.hash)})
        insert.addBindValue(value);
    if (!insert.exec())
        return Expected<AuditEvent>::failure(u"cannot record the audit event: "_s + insert.lastError().text());
    return event;
}

Expected<AuditEvent> AuditLog::append(const AuditEventDraft &draft)
{
    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Expected<AuditEvent>::failure(transaction.beginError());
    auto event = appendWithin(transaction, draft);
    if (!event)
        return event;
    if (Status committed = transaction.commit(); !committed)
        return Expected<AuditEvent>::failure(committed.error());
    return event;
}

Expected<QList<AuditEvent>> AuditLog::pendingUpload(int limit) const
{
    QSqlQuery query(m_db);
    query.prepare(kSelectEvents + u" WHERE uploaded_at IS NULL AND server_error IS NULL ORDER BY seq LIMIT ?"_s);
    query.addBindValue(limit);
    if (!query.exec())
        return Expected<QList<AuditEvent>>::failure(query.lastError().text());
    QList<AuditEvent> events;
    while (query.next())
        events.append(readEvent(query));
    return events;
}

qint64 AuditLog::pendingCount() const
{
    QSqlQuery query(u"SELECT count(*) FROM audit_events WHERE uploaded_at IS NULL AND server_error IS NULL"_s, m_db);
    return query.next() ? query.value(0).toLongLong() : -1;
}

Status AuditLog::markUploaded(const QStringList &eventIds, const QString &uploadedAt)
{
    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    QSqlQuery update(m_db);
    update.prepare(u"UPDATE audit_events SET uploaded_at = ? WHERE event_id = ?"_s);
    for (const QString &eventId : eventIds) {
        update.bindValue(0, uploadedAt);
        update.bindValue(1, eventId);
        if (!update.exec())
            return Status::failure(update.lastError().text());
    }
    return transaction.commit();
}

Status AuditLog::markRejected(const QString &eventId, const QString &error)
{
    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    QSqlQuery update(m_db);
    update.prepare(u"UPDATE audit_events SET server_error = ? WHERE event_id = ?"_s);
    update.addBindValue(error);
    update.addBindValue(eventId);
    if (!update.exec())
        return Status::failure(update.lastError().text());
    return transaction.commit();
}

QStringList AuditLog::verifyChain() const
{
    QStringList problems;
    QSqlQuery query(kSelectEvents + u" ORDER BY seq"_s, m_db);
    QString expectedPrevious = QString::fromLatin1(kGenesisHash);
    while (query.next()) {
        const AuditEvent event = readEvent(query);
        if (event.prevHash != expectedPrevious)
            problems << u"event %1 does not follow the event before it"_s.arg(event.eventId);
        if (event.computeHash() != event.hash)
            problems << u"event %1 was altered after it was recorded"_s.arg(event.eventId);
        expectedPrevious = event.hash;
    }
    return problems;
}

} // namespace earshot
