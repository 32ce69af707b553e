#pragma once

#include "api/serverapi.h"
#include "http/httptransport.h"
#include "store/database.h"
#include "sync/cachefolder.h"
#include "sync/metadatasync.h"
#include "syncerror.h"

#include <memory>

namespace earshot {

class CallMirror;
class RecordingCacheIndex;

// One pass of the agent: call metadata, then the recordings that became due. The
// outcome is recorded in SyncState::kLastSyncError (cleared on success) so the app can
// show why the mirror is stale.
class SyncPass
{
public:
    SyncPass(ServerApi &api, http::HttpTransport &media, Database &store, const CacheFolder &cache, int pageSize,
             const std::atomic<bool> *stopRequested);
    ~SyncPass();
    Q_DISABLE_COPY_MOVE(SyncPass)

    void setBeforeCommitHook(MetadataSync::BeforeCommitHook hook);

    // Clears what an interrupted earlier run left in the cache folder.
    Status cleanUpCache();

    SyncResult<Done> run();

private:
    SyncResult<Done> runSteps();
    void recordOutcome(const SyncResult<Done> &outcome);

    ServerApi &m_api;
    http::HttpTransport &m_media;
    Database &m_store;
    const CacheFolder &m_cache;
    const std::atomic<bool> *m_stopRequested;
    std::unique_ptr<CallMirror> m_mirror;
    std::unique_ptr<RecordingCacheIndex> m_index;
    MetadataSync m_metadata;
    int m_passes = 0;
};

} // namespace earshot
