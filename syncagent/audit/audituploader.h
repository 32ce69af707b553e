#pragma once

#include "audit/auditlog.h"
#include "syncerror.h"

namespace earshot {

class ServerApi;

struct AuditUploadReport
{
    int accepted = 0;
    int rejected = 0;
};

// Sends the local audit trail's pending events to POST /api/audit/events, oldest first,
// at most 500 per request. Accepted events are marked uploaded; rejected ones keep the
// server's error and are not sent again (they wait for a person, not for a retry loop).
// When the server cannot be reached the events simply stay pending for the next pass:
// the server records each event_id once, so a batch sent twice does no harm.
class AuditUploader
{
public:
    static constexpr int kBatchSize = 500; // the contract's limit

    AuditUploader(ServerApi &api, QSqlDatabase db) : m_api(api), m_audit(std::move(db)) {}

    SyncResult<AuditUploadReport> uploadPending();

    // Events recorded but not yet accepted or rejected by the server (-1 when the store
    // cannot be read); for the agent's status.
    qint64 pendingCount() const { return m_audit.pendingCount(); }

private:
    ServerApi &m_api;
    AuditLog m_audit;
};

} // namespace earshot
