#include "sync/syncpass.h"

#include "agentlogging.h"
#include "api/serverapi.h"
#include "audit/audituploader.h"
#include "cache/cacheupkeep.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"
#include "sync/metadatarunner.h"
#include "transfer/transferengine.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace earshot {

SyncPass::SyncPass(MetadataRunner &metadata, ServerApi &api, TransferEngine &transfers, Database &store,
                   const CacheFolder &cache, CacheUpkeep &upkeep, AuditUploader &audit)
    : m_metadata(metadata)
    , m_api(api)
    , m_transfers(transfers)
    , m_store(store)
    , m_cache(cache)
    , m_upkeep(upkeep)
    , m_audit(audit)
    , m_downloader(transfers)
{
}

Status SyncPass::cleanUpCache()
{
    if (Status exists = m_cache.ensureExists(); !exists)
        return exists;
    auto reconciled = m_upkeep.reconcile([this] { return m_transfers.protectedCacheFiles(); });
    if (!reconciled)
        return Status::failure(u"Cannot reconcile the recording cache with the local store: "_s + reconciled.error());
    return Status::ok();
}

void SyncPass::start(Completion done)
{
    Q_ASSERT(!m_done);
    m_done = std::move(done);
    m_timer.start();
    ++m_passes;
    qCInfo(lcSync) << "pass" << m_passes << "starts";
    // Before any request: a laptop that cannot reach the server still lets copies expire.
    // A store error here shows again in the sweep after the metadata, which ends the pass.
    if (auto expired = m_upkeep.applyRememberedRetention(QDateTime::currentMSecsSinceEpoch()); !expired)
        qCWarning(lcCache).noquote() << "cannot apply the remembered retention period:" << expired.error();
    m_metadata.run(m_passes == 1, [this](const SyncResult<MetadataSyncReport> &metadata) {
        if (!metadata)
            return finish(metadata.error());
        if (auto retention = applyRetention(); !retention)
            return finish(retention.error());
        if (!m_downloadRecordings)
            return finish(Done{});
        downloadsStep();
    });
}

SyncResult<Done> SyncPass::applyRetention()
{
    auto policy = m_api.auditPolicy();
    if (!policy)
        return policy.error();
    auto removed = m_upkeep.applyRetention(policy->localRetentionDays, QDateTime::currentMSecsSinceEpoch());
    if (!removed)
        return SyncError::localStore(removed.error());
    // The deletions' audit events go up at once, not only after the downloads; if that
    // fails, the upload at the end of the pass tries again and reports it.
    if (*removed > 0) {
        if (auto uploaded = uploadAudit(); !uploaded)
            qCInfo(lcSync).noquote() << "audit upload after the retention sweep failed:" << uploaded.error().message;
    }
    return Done{};
}

void SyncPass::downloadsStep()
{
    m_downloader.run([this](const SyncResult<DownloadReport> &downloads) {
        if (const QString problem = m_upkeep.policy().takeProblem(); !problem.isEmpty())
            return finish(SyncError::localStore(u"Cannot apply the cache policy: "_s + problem));
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

SyncResult<Done> SyncPass::uploadAudit()
{
    auto uploaded = m_audit.uploadPending();
    if (!uploaded)
        return uploaded.error();
    return Done{};
}

void SyncPass::finish(SyncResult<Done> outcome)
{
    const bool serverMayAnswer = outcome || (outcome.error().kind != SyncError::Kind::Stopped
                                             && outcome.error().kind != SyncError::Kind::SignInAgain);
    if (serverMayAnswer) {
        auto uploaded = uploadAudit();
        if (outcome && !uploaded)
            outcome = uploaded.error();
    }
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
