#pragma once

#include "api/serverapi.h"
#include "store/callmirror.h"
#include "sync/cachefolder.h"
#include "syncerror.h"

#include <functional>

namespace earshot {

struct MetadataSyncReport
{
    int pages = 0;
    int callsWritten = 0;
    int callsDeleted = 0;
    int cacheFilesRemoved = 0;
    qint64 milliseconds = 0;
};

// Pulls call metadata incrementally: pages from the stored cursor until has_more is
// false, each page committed together with the cursor that follows it (CallMirror), and
// the cache files of removed or replaced recordings deleted after that commit.
class MetadataSync
{
public:
    static constexpr int kDefaultPageSize = 500;
    static constexpr int kMaxPageSize = 1000; // the contract's upper bound

    // Runs inside each page's transaction just before it commits; gets the page's
    // 1-based number within this process. Only the crash tests set one.
    using BeforeCommitHook = std::function<void(int pageNumber)>;

    MetadataSync(ServerApi &api, CallMirror &mirror, const CacheFolder &cache, int pageSize);
    void setBeforeCommitHook(BeforeCommitHook hook) { m_beforeCommit = std::move(hook); }

    SyncResult<MetadataSyncReport> run(const std::atomic<bool> *stopRequested);

private:
    ServerApi &m_api;
    CallMirror &m_mirror;
    const CacheFolder &m_cache;
    int m_pageSize;
    int m_pagesThisProcess = 0;
    BeforeCommitHook m_beforeCommit;
};

// TEST-ONLY: when EARSHOT_SYNC_ABORT_BEFORE_COMMIT=N is set, returns a hook that calls
// std::abort() inside the Nth page's transaction, after its rows and cursor are written
// and before COMMIT: the worst moment to die. The crash tests use it to show the cursor
// is never saved ahead of its rows. Empty (no hook) when the variable is not set.
MetadataSync::BeforeCommitHook crashTestHookFromEnvironment();

} // namespace earshot
