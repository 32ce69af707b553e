#pragma once

#include "api/serverapi.h"
#include "store/database.h"
#include "sync/cachefolder.h"
#include "sync/metadatasync.h"
#include "syncerror.h"

#include <memory>

namespace earshot {

class AuditUploader;
class CacheUpkeep;
class CallMirror;
class TransferEngine;

// One pass of the agent: call metadata, the server's audit policy and the retention it
// sets, then the recordings that became due (through the transfer engine, which outlives
// passes, and the cache policy it consults), and last the audit events, uploaded whatever
// became of the rest so that they reach the server as soon as it answers. The outcome is
// recorded in SyncState::kLastSyncError (cleared on success) so the app can show why the
// mirror is stale.
class SyncPass
{
public:
    SyncPass(ServerApi &api, TransferEngine &transfers, Database &store, const CacheFolder &cache,
             CacheUpkeep &upkeep, AuditUploader &audit, int pageSize, const std::atomic<bool> *stopRequested);
    ~SyncPass();
    Q_DISABLE_COPY_MOVE(SyncPass)

    void setBeforeCommitHook(MetadataSync::BeforeCommitHook hook);

    // Makes the store and the cache folder agree (CacheReconciler): clears what an
    // interrupted earlier run left, and re-queues copies that are missing or damaged.
    Status cleanUpCache();

    SyncResult<Done> run();

private:
    SyncResult<Done> runSteps();
    SyncResult<Done> applyRetention();
    SyncResult<Done> uploadAudit();
    void recordOutcome(const SyncResult<Done> &outcome);

    ServerApi &m_api;
    TransferEngine &m_transfers;
    Database &m_store;
    const CacheFolder &m_cache;
    CacheUpkeep &m_upkeep;
    AuditUploader &m_audit;
    const std::atomic<bool> *m_stopRequested;
    std::unique_ptr<CallMirror> m_mirror;
    MetadataSync m_metadata;
    int m_passes = 0;
};

} // namespace earshot
