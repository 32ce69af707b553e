#pragma once

#include <QThreadPool>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace earshot {

// Runs its tasks one after another, in the order posted, on a shared thread pool: every
// recording's cache file gets one, so that its chunks are hashed in order, while different
// recordings hash in parallel on all cores. Post from any thread.
class SerialQueue : public std::enable_shared_from_this<SerialQueue>
{
public:
    static std::shared_ptr<SerialQueue> create(QThreadPool &pool);

    void post(std::function<void()> task);

private:
    explicit SerialQueue(QThreadPool &pool) : m_pool(pool) {}
    void drain();

    QThreadPool &m_pool;
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_tasks;
    bool m_draining = false;
};

} // namespace earshot
