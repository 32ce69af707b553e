#include "sync/syncpass.h"

#include "agentlogging.h"
#include "store/callmirror.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"
#include "sync/recordingdownloader.h"
#include "transfer/transferengine.h"

#include <QElapsedTimer>

using namespace Qt::StringLiterals;

namespace earshot {

SyncPass::SyncPass(ServerApi &api, TransferEngine &transfers, Database &store, const CacheFolder &cache, int pageSize,
                   const std::atomic<bool> *stopRequested)
    : m_api(api)
    , m_transfers(transfers)
    , m_store(store)
    , m_cache(cache)
    , m_stopRequested(stopRequested)
    , m_mirror(std::make_unique<CallMirror>(store.connection()))
    , m_metadata(api, *m_mirror, cache, pageSize)
{
}

SyncPass::~SyncPass() = default;

void SyncPass::setBeforeCommitHook(MetadataSync::BeforeCommitHook hook)
{
    m_metadata.setBeforeCommitHook(std::move(hook));
}

Status SyncPass::cleanUpCache()
{
    if (Status exists = m_cache.ensureExists(); !exists)
        return exists;
    m_cache.removeStrays(m_transfers.protectedCacheFiles());
    return Status::ok();
}

SyncResult<Done> SyncPass::run()
{
    QElapsedTimer timer;
    timer.start();
    ++m_passes;
    qCInfo(lcSync) << "pass" << m_passes << "starts";
    auto outcome = runSteps();
    recordOutcome(outcome);
    if (outcome)
        qCInfo(lcSync) << "pass" << m_passes << "succeeded in" << timer.elapsed() << "ms";
    else if (outcome.error().kind == SyncError::Kind::Stopped)
        qCInfo(lcSync) << "pass" << m_passes << "stopped on request after" << timer.elapsed() << "ms";
    else
        qCWarning(lcSync).noquote() << "pass" << m_passes << "failed after" << timer.elapsed()
                                    << "ms:" << outcome.error().message;
    return outcome;
}

SyncResult<Done> SyncPass::runSteps()
{
    if (m_passes == 1) {
        // Once per run: shows in the log whose view of the calls is being mirrored.
        auto user = m_api.me();
        if (!user)
            return user.error();
        qCInfo(lcSync).noquote() << "signed in to" << m_api.server().origin() << "as" << user->email << u"(%1)"_s.arg(user->role);
    }
    auto metadata = m_metadata.run(m_stopRequested);
    if (!metadata)
        return metadata.error();
    if (!m_downloadRecordings)
        return Done{};

    RecordingDownloader downloader(m_transfers);
    auto downloads = downloader.run();
    if (!downloads)
        return downloads.error();
    if (downloads->failed > 0)
        return SyncError::server(u"%1 of %2 recordings could not be downloaded and will be tried again later "
                                 "(last problem: %3)"_s.arg(downloads->failed)
                                     .arg(downloads->due)
                                     .arg(downloads->lastFailure));
    return Done{};
}

void SyncPass::recordOutcome(const SyncResult<Done> &outcome)
{
    if (!outcome && outcome.error().kind == SyncError::Kind::Stopped)
        return; // a requested stop says nothing about the mirror
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
