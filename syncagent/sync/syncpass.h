#pragma once

#include "store/database.h"
#include "sync/cachefolder.h"
#include "sync/recordingdownloader.h"
#include "syncerror.h"

#include <QElapsedTimer>

#include <functional>

namespace earshot {

class MetadataRunner;
class TransferEngine;

// One pass of the agent: call metadata (on the metadata worker thread), then the
// recordings that became due (through the transfer engine, which outlives passes). It
// runs asynchronously: the agent's thread stays free for the control socket. The outcome
// is recorded in SyncState::kLastSyncError (cleared on success) so the app can show why
// the mirror is stale.
class SyncPass
{
public:
    using Completion = std::function<void(const SyncResult<Done> &)>;

    SyncPass(MetadataRunner &metadata, TransferEngine &transfers, Database &store, const CacheFolder &cache);
    Q_DISABLE_COPY_MOVE(SyncPass)

    // Clears what an interrupted earlier run left in the cache folder.
    Status cleanUpCache();

    // Starts a pass; `done` runs on the agent's thread once it ended, never inside start().
    void start(Completion done);
    bool isRunning() const { return static_cast<bool>(m_done); }

private:
    void downloadsStep();
    void finish(const SyncResult<Done> &outcome);
    void recordOutcome(const SyncResult<Done> &outcome);

    MetadataRunner &m_metadata;
    TransferEngine &m_transfers;
    Database &m_store;
    const CacheFolder &m_cache;
    RecordingDownloader m_downloader;
    Completion m_done;
    QElapsedTimer m_timer;
    int m_passes = 0;
};

} // namespace earshot
