#include "transfer/serialqueue.h"

namespace earshot {

std::shared_ptr<SerialQueue> SerialQueue::create(QThreadPool &pool)
{
    return std::shared_ptr<SerialQueue>(new SerialQueue(pool));
}

void SerialQueue::post(std::function<void()> task)
{
    {
        const std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
        if (m_draining)
            return;
        m_draining = true;
    }
    // The pool task keeps the queue alive until it has run everything posted.
    m_pool.start([self = shared_from_this()] { self->drain(); });
}

void SerialQueue::drain()
{
    for (;;) {
        std::function<void()> task;
        {
            const std::lock_guard lock(m_mutex);
            if (m_tasks.empty()) {
                m_draining = false;
                return;
            }
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        task();
    }
}

} // namespace earshot
