#pragma once

#include "audit/auditevent.h"
#include "expected.h"

#include <QSqlDatabase>

namespace earshot {

class WriteTransaction;

// The local, append-only, hash-chained audit trail. An event is durable (synchronous
// FULL) before the action it records is reported done, and it is uploaded later by the
// agent. Appends take the write lock, so the chain has one order across processes.
class AuditLog
{
public:
    explicit AuditLog(QSqlDatabase db, AuditClient client = AuditClient::current());

    // Inside the caller's open transaction, so that the action and its record commit together.
    Expected<AuditEvent> appendWithin(const WriteTransaction &transaction, const AuditEventDraft &draft);
    // In a transaction of its own.
    Expected<AuditEvent> append(const AuditEventDraft &draft);

    Expected<QList<AuditEvent>> pendingUpload(int limit) const;
    qint64 pendingCount() const;
    Status markUploaded(const QStringList &eventIds, const QString &uploadedAt);
    Status markRejected(const QString &eventId, const QString &error);

    // Every stored event's hash recomputed and every link checked; empty when intact.
    QStringList verifyChain() const;

    static Status validate(const AuditEventDraft &draft);

private:
    QSqlDatabase m_db;
    AuditClient m_client;
};

} // namespace earshot
