#pragma once

#include "api/serverapi.h"
#include "store/callmirror.h"
#include "sync/cachefolder.h"
#include "syncerror.h"

#include <functional>
#include <vector>

namespace earshot {

class PageFetcher;

struct MetadataSyncReport
{
    int pages = 0;
    int commits = 0;
    int callsWritten = 0;
    int callsDeleted = 0;
    int cacheFilesRemoved = 0;
    qint64 milliseconds = 0;
};

// Pulls call metadata incrementally: pages from the stored cursor until has_more is
// false, fetched and parsed a few pages ahead on a thread of their own (PageFetcher),
// committed a few at a time together with the cursor that follows the last of
// them (CallMirror), and the cache files of removed or replaced recordings deleted after
// that commit. The first fill of an empty store builds the secondary indexes and checks
// references at its end (FirstFill), and runs with a larger page cache.
class MetadataSync
{
public:
    static constexpr int kDefaultPageSize = 500;
    static constexpr int kMaxPageSize = 1000; // the contract's upper bound
    // A transaction ends at this many rows or after this long, whichever comes first,
    // so the app sees a first fill arrive in steps, and a crash loses little.
    static constexpr qsizetype kCommitRows = 20000;
    static constexpr qint64 kCommitIntervalMs = 1000;
    static constexpr qint64 kFirstFillPageCacheKiB = 64 * 1024;

    // Runs inside each transaction just before it commits; gets the 1-based number
    // (within this process) of the last page the transaction holds. Only the crash tests
    // set one.
    using BeforeCommitHook = std::function<void(int lastPageNumber)>;

    MetadataSync(ServerApi &api, CallMirror &mirror, const CacheFolder &cache, int pageSize);
    void setBeforeCommitHook(BeforeCommitHook hook) { m_beforeCommit = std::move(hook); }

    SyncResult<MetadataSyncReport> run(const std::atomic<bool> *stopRequested);

private:
    // Pages fetched and not yet committed.
    struct Batch
    {
        std::vector<CallsPage> pages;
        qsizetype rows = 0;
        int lastPageNumber = 0;
    };

    SyncResult<MetadataSyncReport> fetchAll(const std::atomic<bool> *stopRequested);
    // Hands the written pages to `fetcher` to free, when there is one.
    SyncResult<Done> commit(Batch &batch, MetadataSyncReport &report, PageFetcher *fetcher = nullptr);

    ServerApi &m_api;
    CallMirror &m_mirror;
    const CacheFolder &m_cache;
    int m_pageSize;
    int m_pagesThisProcess = 0;
    BeforeCommitHook m_beforeCommit;
};

// TEST-ONLY: when EARSHOT_SYNC_ABORT_BEFORE_COMMIT=N is set, returns a hook that calls
// std::abort() inside the transaction that holds the Nth page, after its rows and cursor
// are written and before COMMIT: the worst moment to die. The crash tests use it to show
// the cursor is never saved ahead of its rows. Empty (no hook) when the variable is not set.
MetadataSync::BeforeCommitHook crashTestHookFromEnvironment();

} // namespace earshot
