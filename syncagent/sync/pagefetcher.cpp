#include "sync/pagefetcher.h"

#include <iterator>

using namespace Qt::StringLiterals;

namespace earshot {

PageFetcher::PageFetcher(ServerApi &api, QString cursor, int pageSize, const std::atomic<bool> *stopRequested,
                         size_t depth)
    : m_api(api)
    , m_pageSize(pageSize)
    , m_stopRequested(stopRequested)
    , m_depth(std::max<size_t>(depth, 1))
    , m_thread([this, cursor = std::move(cursor)] { fetchAll(cursor); })
{
}

PageFetcher::~PageFetcher()
{
    {
        const std::lock_guard lock(m_mutex);
        m_abandoned = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

std::optional<SyncResult<CallsPage>> PageFetcher::next()
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_ready.empty() || m_finished; });
    if (m_ready.empty())
        return std::nullopt;
    SyncResult<CallsPage> page = std::move(m_ready.front());
    m_ready.pop_front();
    lock.unlock();
    m_changed.notify_all();
    return page;
}

void PageFetcher::retire(std::vector<CallsPage> pages)
{
    {
        const std::lock_guard lock(m_mutex);
        if (m_retired.empty())
            m_retired = std::move(pages);
        else
            std::move(pages.begin(), pages.end(), std::back_inserter(m_retired));
    }
    m_changed.notify_all();
}

bool PageFetcher::freeRetired(std::unique_lock<std::mutex> &lock)
{
    if (m_retired.empty())
        return false;
    std::vector<CallsPage> retired;
    retired.swap(m_retired);
    lock.unlock();
    retired.clear();
    lock.lock();
    return true;
}

void PageFetcher::freeRetiredUntilAbandoned()
{
    std::unique_lock lock(m_mutex);
    do {
        m_changed.wait(lock, [this] { return !m_retired.empty() || m_abandoned; });
    } while (freeRetired(lock));
}

bool PageFetcher::push(SyncResult<CallsPage> page)
{
    std::unique_lock lock(m_mutex);
    // Frees retired pages while it waits for room, and only after handing the page over:
    // a writer waiting for it must not wait for the frees.
    for (;;) {
        m_changed.wait(lock, [this] { return m_ready.size() < m_depth || m_abandoned || !m_retired.empty(); });
        if (m_abandoned)
            return false;
        if (m_ready.size() < m_depth)
            break;
        freeRetired(lock);
    }
    m_ready.push_back(std::move(page));
    lock.unlock();
    m_changed.notify_all();
    lock.lock();
    freeRetired(lock);
    return true;
}

void PageFetcher::fetchAll(QString cursor)
{
    for (bool hasMore = true; hasMore;) {
        if (m_stopRequested && m_stopRequested->load()) {
            push(SyncError::stopped());
            break;
        }
        auto page = m_api.callsPage(cursor, m_pageSize);
        if (!page) {
            push(std::move(page));
            break;
        }
        hasMore = page->hasMore;
        if (hasMore && page->nextCursor == cursor) {
            push(SyncError::server(u"The server at %1 sent has_more with the same cursor again; stopping so as not "
                                   "to loop forever."_s.arg(m_api.server().origin())));
            break;
        }
        if (!page->nextCursor.isEmpty())
            cursor = page->nextCursor;
        if (!push(std::move(page)))
            break;
    }
    {
        const std::lock_guard lock(m_mutex);
        m_finished = true;
    }
    m_changed.notify_all();
    freeRetiredUntilAbandoned();
}

} // namespace earshot
