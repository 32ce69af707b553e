#include "sync/metadatasync.h"

#include "agentlogging.h"

#include <QElapsedTimer>

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
    QElapsedTimer timer;
    timer.start();
    MetadataSyncReport report;
    QString cursor = m_mirror.cursor();
    qCInfo(lcSync).noquote() << "metadata sync starts" << (cursor.isEmpty() ? u"from the beginning"_s : u"from the saved cursor"_s);
    for (bool hasMore = true; hasMore;) {
        if (stopRequested && stopRequested->load())
            return SyncError::stopped();
        QElapsedTimer pageTimer;
        pageTimer.start();
        auto page = m_api.callsPage(cursor, m_pageSize);
        if (!page)
            return page.error();

        const int pageNumber = ++m_pagesThisProcess;
        std::function<void()> beforeCommit;
        if (m_beforeCommit)
            beforeCommit = [this, pageNumber] { m_beforeCommit(pageNumber); };
        auto applied = m_mirror.applyPage(*page, beforeCommit);
        if (!applied)
            return SyncError::localStore(u"Cannot save a page of calls in the local store: %1"_s.arg(applied.error()));

        // Only now, with the rows gone for good, may their files go.
        report.cacheFilesRemoved += m_cache.removeFiles(applied->orphanedCacheFiles);
        ++report.pages;
        report.callsWritten += applied->callsWritten;
        report.callsDeleted += applied->callsDeleted;
        qCInfo(lcSync).noquote() << u"page %1: %2 calls, %3 deletions in %4 ms"_s.arg(report.pages)
                                        .arg(page->calls.size())
                                        .arg(page->tombstones.size())
                                        .arg(pageTimer.elapsed());

        hasMore = page->hasMore;
        if (hasMore && page->nextCursor == cursor)
            return SyncError::server(u"The server at %1 sent has_more with the same cursor again; stopping so as not "
                                     "to loop forever."_s.arg(m_api.server().origin()));
        if (!page->nextCursor.isEmpty())
            cursor = page->nextCursor;
    }
    report.milliseconds = timer.elapsed();
    qCInfo(lcSync).noquote() << u"metadata sync done: %1 pages, %2 calls written, %3 deleted, %4 cache files removed, in %5 ms"_s
                                    .arg(report.pages)
                                    .arg(report.callsWritten)
                                    .arg(report.callsDeleted)
                                    .arg(report.cacheFilesRemoved)
                                    .arg(report.milliseconds);
    return report;
}

MetadataSync::BeforeCommitHook crashTestHookFromEnvironment()
{
    bool ok = false;
    const int abortAtPage = qEnvironmentVariableIntValue("EARSHOT_SYNC_ABORT_BEFORE_COMMIT", &ok);
    if (!ok || abortAtPage <= 0)
        return {};
    qCWarning(lcSync) << "TEST HOOK: the agent will abort before committing page" << abortAtPage;
    return [abortAtPage](int pageNumber) {
        if (pageNumber == abortAtPage) {
            qCWarning(lcSync) << "TEST HOOK: aborting inside the transaction of page" << pageNumber;
            std::abort();
        }
    };
}

} // namespace earshot
