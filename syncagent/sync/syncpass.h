#pragma once

#include "store/database.h"
#include "sync/cachefolder.h"
#include "sync/recordingdownloader.h"
#include "syncerror.h"

#include <QElapsedTimer>

#include <functional>

namespace earshot {

class AuditUploader;
class CacheUpkeep;
class MetadataRunner;
class ServerApi;
class TransferEngine;

// One pass of the agent: call metadata (on the metadata worker thread), the server's
// audit policy and the retention it sets, then the recordings that became due (through
// the transfer engine, which outlives passes, and the cache policy it consults), and last
// the audit events, uploaded whatever became of the rest so that they reach the server as
// soon as it answers. It runs asynchronously: the agent's thread stays free for the
// control socket. The outcome is recorded in SyncState::kLastSyncError (cleared on
// success) so the app can show why the mirror is stale.
class SyncPass
{
public:
    using Completion = std::function<void(const SyncResult<Done> &)>;

    // `api` is the agent thread's client: the policy and the audit upload are short calls.
    SyncPass(MetadataRunner &metadata, ServerApi &api, TransferEngine &transfers, Database &store,
             const CacheFolder &cache, CacheUpkeep &upkeep, AuditUploader &audit);
    Q_DISABLE_COPY_MOVE(SyncPass)

    // Off: passes mirror metadata only (--metadata-only); due recordings wait for a pass
    // that downloads.
    void setDownloadRecordings(bool download) { m_downloadRecordings = download; }

    // Makes the store and the cache folder agree (CacheReconciler): clears what an
    // interrupted earlier run left, and re-queues copies that are missing or damaged.
    Status cleanUpCache();

    // Starts a pass; `done` runs on the agent's thread once it ended, never inside start().
    void start(Completion done);
    bool isRunning() const { return static_cast<bool>(m_done); }

private:
    SyncResult<Done> applyRetention();
    SyncResult<Done> uploadAudit();
    void downloadsStep();
    void finish(SyncResult<Done> outcome);
    void recordOutcome(const SyncResult<Done> &outcome);

    MetadataRunner &m_metadata;
    ServerApi &m_api;
    TransferEngine &m_transfers;
    Database &m_store;
    const CacheFolder &m_cache;
    CacheUpkeep &m_upkeep;
    AuditUploader &m_audit;
    RecordingDownloader m_downloader;
    Completion m_done;
    QElapsedTimer m_timer;
    int m_passes = 0;
    bool m_downloadRecordings = true;
};

} // namespace earshot
