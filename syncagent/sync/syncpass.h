#pragma once

#include "api/serverapi.h"
#include "store/database.h"
#include "sync/cachefolder.h"
#include "sync/metadatasync.h"
#include "syncerror.h"

#include <memory>

namespace earshot {

class CallMirror;
class TransferEngine;

// One pass of the agent: call metadata, then the recordings that became due (through the
// transfer engine, which outlives passes). The outcome is recorded in
// SyncState::kLastSyncError (cleared on success) so the app can show why the mirror is
// stale.
class SyncPass
{
public:
    SyncPass(ServerApi &api, TransferEngine &transfers, Database &store, const CacheFolder &cache, int pageSize,
             const std::atomic<bool> *stopRequested);
    ~SyncPass();
    Q_DISABLE_COPY_MOVE(SyncPass)

    void setBeforeCommitHook(MetadataSync::BeforeCommitHook hook);
    // Off: passes mirror metadata only (--metadata-only); due recordings wait for a pass
    // that downloads.
    void setDownloadRecordings(bool download) { m_downloadRecordings = download; }

    // Clears what an interrupted earlier run left in the cache folder.
    Status cleanUpCache();

    SyncResult<Done> run();

private:
    SyncResult<Done> runSteps();
    void recordOutcome(const SyncResult<Done> &outcome);

    ServerApi &m_api;
    TransferEngine &m_transfers;
    Database &m_store;
    const CacheFolder &m_cache;
    const std::atomic<bool> *m_stopRequested;
    std::unique_ptr<CallMirror> m_mirror;
    MetadataSync m_metadata;
    int m_passes = 0;
    bool m_downloadRecordings = true;
};

} // namespace earshot
