#include "audit/audituploader.h"

#include "agentlogging.h"
#include "api/serverapi.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace earshot {

SyncResult<AuditUploadReport> AuditUploader::uploadPending()
{
    AuditUploadReport report;
    for (;;) {
        auto batch = m_audit.pendingUpload(kBatchSize);
        if (!batch)
            return SyncError::localStore(u"Cannot read the audit events to upload: "_s + batch.error());
        if (batch->isEmpty())
            break;
        QJsonArray events;
        QSet<QString> sent;
        for (const AuditEvent &event : std::as_const(*batch)) {
            events.append(event.toJson());
            sent.insert(event.eventId);
        }
        auto answer = m_api.uploadAuditEvents(events);
        if (!answer) {
            qCWarning(lcAudit).noquote() << u"%1 audit events stay pending: %2"_s.arg(m_audit.pendingCount())
                                                .arg(answer.error().message);
            return answer.error();
        }
        QStringList accepted;
        for (const QString &id : std::as_const(answer->accepted)) {
            if (sent.remove(id))
                accepted.append(id);
        }
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        if (Status marked = m_audit.markUploaded(accepted, now); !marked)
            return SyncError::localStore(u"Cannot record which audit events the server accepted: "_s + marked.error());
        report.accepted += static_cast<int>(accepted.size());
        for (const AuditRejection &rejection : std::as_const(answer->rejected)) {
            if (!sent.remove(rejection.eventId))
                continue;
            qCWarning(lcAudit).noquote() << u"the server rejected audit event %1: %2"_s.arg(rejection.eventId,
                                                                                           rejection.error);
            if (Status marked = m_audit.markRejected(rejection.eventId, rejection.error); !marked)
                return SyncError::localStore(u"Cannot record a rejected audit event: "_s + marked.error());
            ++report.rejected;
        }
        // Events the answer did not mention stay pending; sending them again now would
        // only get the same answer, so they wait for the next pass.
        if (!sent.isEmpty()) {
            qCWarning(lcAudit) << sent.size() << "audit events were neither accepted nor rejected; they are sent again "
                                                 "on the next pass";
            break;
        }
        if (batch->size() < kBatchSize)
            break;
    }
    if (report.accepted + report.rejected > 0)
        qCInfo(lcAudit).noquote() << u"audit events uploaded: %1 accepted, %2 rejected"_s.arg(report.accepted)
                                         .arg(report.rejected);
    return report;
}

} // namespace earshot
