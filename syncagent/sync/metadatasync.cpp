#include "sync/metadatasync.h"

#include "agentlogging.h"
#include "store/firstfill.h"
#include "sync/pagefetcher.h"

#include <QElapsedTimer>

#include <algorithm>

#include <cstdlib>

using namespace Qt::StringLiterals;

namespace earshot {

MetadataSync::MetadataSync(ServerApi &api, CallMirror &mirror, const CacheFolder &cache, int pageSize)
    : m_api(api)
    , m_mirror(mirror)
    , m_cache(cache)
    , m_pageSize(pageSize)
{
}

SyncResult<MetadataSyncReport> MetadataSync::run(const std::atomic<bool> *stopRequested)
{
    FirstFill fill = m_mirror.firstFill();
    if ((m_mirror.cursor().isEmpty() && !m_mirror.hasCalls()) || fill.isUnderway()) {
        if (Status begun = fill.begin(); !begun)
            return SyncError::localStore(u"Cannot prepare the local store for the first sync: %1"_s.arg(begun.error()));
    }
    const bool fillUnderway = fill.isUnderway();
    const qint64 previousCacheKiB = fillUnderway ? m_mirror.setPageCacheKiB(kFirstFillPageCacheKiB) : -1;

    auto outcome = fetchAll(stopRequested);

    // Also after a failure or a stop: the app should not query an index-less store for
    // longer than it must.
    if (fillUnderway) {
        const Expected<int> finished = fill.finish();
        m_mirror.setPageCacheKiB(previousCacheKiB);
        if (!finished) {
            const QString problem = u"Cannot finish the first sync of the local store: %1"_s.arg(finished.error());
            if (outcome)
                return SyncError::localStore(problem);
            qCWarning(lcSync).noquote() << problem;
        } else if (*finished > 0 && outcome) {
            // The fill left rows that referred to nothing, now removed with the cursor:
            // mirror everything again, this time checked row by row, indexes in place.
            qCWarning(lcSync) << "the first fill left" << *finished << "rows that referred to nothing; syncing again";
            return fetchAll(stopRequested);
        }
    }
    return outcome;
}

SyncResult<MetadataSyncReport> MetadataSync::fetchAll(const std::atomic<bool> *stopRequested)
{
    QElapsedTimer timer;
    timer.start();
    MetadataSyncReport report;
    const QString cursor = m_mirror.cursor();
    qCInfo(lcSync).noquote() << "metadata sync starts" << (cursor.isEmpty() ? u"from the beginning"_s : u"from the saved cursor"_s);
    Batch batch;
    QElapsedTimer batchAge;
    // Pages already fetched are sound: keep them when the next one fails or a stop comes.
    const auto keepFetchedThenFail = [&](SyncError error) -> SyncResult<MetadataSyncReport> {
        if (!batch.pages.empty()) {
            if (auto committed = commit(batch, report); !committed)
                return committed.error();
        }
        return error;
    };
    // Room for a whole transaction's pages, so that the fetcher keeps going while one commits
    // and the next is ready when it has.
    const auto depth = static_cast<size_t>(kCommitRows / std::max(1, m_pageSize)) + 1;
    PageFetcher fetcher(m_api, cursor, m_pageSize, stopRequested, depth);
    while (auto page = fetcher.next()) {
        if (!*page)
            return keepFetchedThenFail(page->error());
        const bool last = !(*page)->hasMore;
        if (batch.pages.empty())
            batchAge.start();
        batch.rows += (*page)->calls.size() + (*page)->tombstones.size();
        batch.lastPageNumber = ++m_pagesThisProcess;
        batch.pages.push_back(std::move(*page).value());
        if (last || batch.rows >= kCommitRows || batchAge.elapsed() >= kCommitIntervalMs) {
            if (auto committed = commit(batch, report, &fetcher); !committed)
                return committed.error();
        }
    }
    report.milliseconds = timer.elapsed();
    qCInfo(lcSync).noquote() << u"metadata sync done: %1 pages in %2 commits, %3 calls written, %4 deleted, "
                                "%5 cache files removed, in %6 ms"_s.arg(report.pages)
                                    .arg(report.commits)
                                    .arg(report.callsWritten)
                                    .arg(report.callsDeleted)
                                    .arg(report.cacheFilesRemoved)
                                    .arg(report.milliseconds);
    return report;
}

SyncResult<Done> MetadataSync::commit(Batch &batch, MetadataSyncReport &report, PageFetcher *fetcher)
{
    QElapsedTimer timer;
    timer.start();
    std::function<void()> beforeCommit;
    if (m_beforeCommit)
        beforeCommit = [this, lastPage = batch.lastPageNumber] { m_beforeCommit(lastPage); };
    auto applied = m_mirror.applyPages(batch.pages, beforeCommit);
    if (!applied)
        return SyncError::localStore(u"Cannot save a page of calls in the local store: %1"_s.arg(applied.error()));

    // Only now, with the rows gone for good, may their files go.
    report.cacheFilesRemoved += m_cache.removeFiles(applied->orphanedCacheFiles);
    report.pages += static_cast<int>(batch.pages.size());
    ++report.commits;
    report.callsWritten += applied->callsWritten;
    report.callsDeleted += applied->callsDeleted;
    qCDebug(lcSync).noquote() << u"committed pages to %1: %2 rows in %3 ms"_s.arg(batch.lastPageNumber)
                                     .arg(batch.rows)
                                     .arg(timer.elapsed());
    if (fetcher)
        fetcher->retire(std::move(batch.pages));
    batch = {};
    return Done{};
}

MetadataSync::BeforeCommitHook crashTestHookFromEnvironment()
{
    bool ok = false;
    const int abortAtPage = qEnvironmentVariableIntValue("EARSHOT_SYNC_ABORT_BEFORE_COMMIT", &ok);
    if (!ok || abortAtPage <= 0)
        return {};
    qCWarning(lcSync) << "TEST HOOK: the agent will abort before committing page" << abortAtPage;
    return [abortAtPage](int lastPageNumber) {
        // A transaction may hold several pages: the one that holds page N ends at N or later.
        if (lastPageNumber >= abortAtPage) {
            qCWarning(lcSync) << "TEST HOOK: aborting inside the transaction of pages up to" << lastPageNumber;
            std::abort();
        }
    };
}

} // namespace earshot
