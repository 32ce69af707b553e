#pragma once

#include "api/serverapi.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace earshot {

// Fetches and parses the pages of GET /api/calls on a thread of its own, a few pages
// ahead of the one that writes them: the network, the server and the JSON parser work
// while the store writes. At most `depth` pages wait, so memory stays flat however long
// the chain. The API client belongs to this thread until the fetcher is destroyed.
//
// Pages the writer is done with come back through retire(), and this thread frees them.
// A million calls are tens of millions of small strings: freeing them on the writer's
// thread, which did not allocate them, cost it about 0.8 s of a 9 s fill, and the
// writer's thread is what a first fill waits for.
class PageFetcher
{
public:
    static constexpr size_t kDefaultDepth = 4;

    PageFetcher(ServerApi &api, QString cursor, int pageSize, const std::atomic<bool> *stopRequested,
                size_t depth = kDefaultDepth);
    // Stops fetching (a page in flight finishes first) and waits for the thread.
    ~PageFetcher();
    Q_DISABLE_COPY_MOVE(PageFetcher)

    // The next page in order, or the error that ended the chain (a stop request is one);
    // empty once the last page (has_more false) has been taken.
    std::optional<SyncResult<CallsPage>> next();
    // Hands written pages back to be freed on the fetcher's thread (or by the destructor).
    void retire(std::vector<CallsPage> pages);

private:
    void fetchAll(QString cursor);
    // False when the reader went away.
    bool push(SyncResult<CallsPage> page);
    // Frees what retire() handed back so far, with the lock released; false if nothing.
    bool freeRetired(std::unique_lock<std::mutex> &lock);
    // After the last page: frees retired pages until the reader goes away.
    void freeRetiredUntilAbandoned();

    ServerApi &m_api;
    const int m_pageSize;
    const std::atomic<bool> *m_stopRequested;
    const size_t m_depth;

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<SyncResult<CallsPage>> m_ready;
    std::vector<CallsPage> m_retired;
    bool m_finished = false;  // the fetcher pushes nothing more
    bool m_abandoned = false; // the reader wants nothing more

    std::thread m_thread; // last: starts once everything above exists
};

} // namespace earshot
