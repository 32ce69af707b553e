#include "sync/syncpass.h"

#include "agentlogging.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"
#include "sync/metadatarunner.h"
#include "transfer/transferengine.h"

using namespace Qt::StringLiterals;

namespace earshot {

SyncPass::SyncPass(MetadataRunner &metadata, TransferEngine &transfers, Database &store, const CacheFolder &cache)
    : m_metadata(metadata)
    , m_transfers(transfers)
    , m_store(store)
    , m_cache(cache)
    , m_downloader(transfers)
{
}

Status SyncPass::cleanUpCache()
{
    if (Status exists = m_cache.ensureExists(); !exists)
        return exists;
    m_cache.removeStrays(m_transfers.protectedCacheFiles());
    return Status::ok();
}

void SyncPass::start(Completion done)
{
    Q_ASSERT(!m_done);
    m_done = std::move(done);
    m_timer.start();
    ++m_passes;
    qCInfo(lcSync) << "pass" << m_passes << "starts";
    m_metadata.run(m_passes == 1, [this](const SyncResult<MetadataSyncReport> &metadata) {
        if (!metadata)
            return finish(metadata.error());
        downloadsStep();
    });
}

void SyncPass::downloadsStep()
{
    m_downloader.run([this](const SyncResult<DownloadReport> &downloads) {
        if (!downloads)
            return finish(downloads.error());
        if (downloads->failed > 0)
            return finish(SyncError::server(u"%1 of %2 recordings could not be downloaded and will be tried again later "
                                            "(last problem: %3)"_s.arg(downloads->failed)
                                                .arg(downloads->due)
                                                .arg(downloads->lastFailure)));
        finish(Done{});
    });
}

void SyncPass::finish(const SyncResult<Done> &outcome)
{
    recordOutcome(outcome);
    const qint64 elapsed = m_timer.elapsed();
    if (outcome)
        qCInfo(lcSync) << "pass" << m_passes << "succeeded in" << elapsed << "ms";
    else if (outcome.error().kind == SyncError::Kind::Stopped)
        qCInfo(lcSync) << "pass" << m_passes << "stopped on request after" << elapsed << "ms";
    else
        qCWarning(lcSync).noquote() << "pass" << m_passes << "failed after" << elapsed << "ms:" << outcome.error().message;
    std::exchange(m_done, {})(outcome);
}

void SyncPass::recordOutcome(const SyncResult<Done> &outcome)
{
    if (!outcome && outcome.error().kind == SyncError::Kind::Stopped)
        return; // a requested stop or pause says nothing about the mirror
    SyncState state(m_store.connection());
    WriteTransaction transaction(m_store.connection());
    const bool written = transaction.isOpen()
        && (outcome ? state.remove(SyncState::kLastSyncError)
                    : state.setValue(SyncState::kLastSyncError, outcome.error().message))
        && transaction.commit();
    if (!written)
        qCWarning(lcSync) << "cannot record the outcome of the pass in the local store";
}

} // namespace earshot
