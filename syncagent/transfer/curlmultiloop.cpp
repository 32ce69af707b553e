#include "transfer/curlmultiloop.h"

#include "agentlogging.h"

namespace earshot {

namespace {
// The longest the thread sleeps without being woken; paused transfers and the stop flag
// are looked at least this often.
constexpr int kPollTimeoutMs = 100;
} // namespace

CurlMultiLoop::CurlMultiLoop(Finished finished)
    : m_finished(std::move(finished))
    , m_multi(curl_multi_init())
{
    if (m_multi)
        curl_multi_setopt(m_multi.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
}

CurlMultiLoop::~CurlMultiLoop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    if (m_thread.joinable()) {
        curl_multi_wakeup(m_multi.get());
        m_thread.join();
    }
}

bool CurlMultiLoop::start()
{
    if (!m_multi)
        return false;
    m_thread = std::thread([this] { run(); });
    return true;
}

void CurlMultiLoop::add(std::shared_ptr<MediaTransfer> transfer)
{
    {
        const std::lock_guard lock(m_mutex);
        m_incoming.push_back(std::move(transfer));
        ++m_activeCount;
    }
    curl_multi_wakeup(m_multi.get());
}

void CurlMultiLoop::wake()
{
    curl_multi_wakeup(m_multi.get());
}

void CurlMultiLoop::setBandwidthLimit(qint64 bytesPerSecond)
{
    {
        const std::lock_guard lock(m_mutex);
        m_bandwidthLimit = std::max<qint64>(0, bytesPerSecond);
        m_limitChanged = true;
    }
    curl_multi_wakeup(m_multi.get());
}

int CurlMultiLoop::activeCount() const
{
    const std::lock_guard lock(m_mutex);
    return m_activeCount;
}

void CurlMultiLoop::run()
{
    for (;;) {
        {
            const std::lock_guard lock(m_mutex);
            if (m_stopping)
                break;
        }
        admitNew();
        serviceActive();
        int running = 0;
        curl_multi_perform(m_multi.get(), &running);
        collectFinished();
        curl_multi_poll(m_multi.get(), nullptr, 0, pollTimeoutMs(), nullptr);
    }
    finishAll();
}

void CurlMultiLoop::admitNew()
{
    std::vector<std::shared_ptr<MediaTransfer>> incoming;
    {
        const std::lock_guard lock(m_mutex);
        incoming.swap(m_incoming);
    }
    for (auto &transfer : incoming) {
        CURL *handle = transfer->handle();
        if (curl_multi_add_handle(m_multi.get(), handle) != CURLM_OK) {
            transfer->complete(CURLE_FAILED_INIT);
            {
                const std::lock_guard lock(m_mutex);
                --m_activeCount;
            }
            m_finished(std::move(transfer));
            continue;
        }
        if (!transfer->isExemptFromBudget())
            transfer->useBudget(&m_budget);
        m_active.insert(handle, std::move(transfer));
    }
}

void CurlMultiLoop::serviceActive()
{
    applyBandwidthLimit();
    for (const auto &transfer : std::as_const(m_active)) {
        // A cancelled transfer ends at its next progress callback; a paused one gets none
        // of those, so it is woken here to notice.
        if (transfer->isPaused() && (transfer->mayResume() || transfer->isCancelled())) {
            transfer->markResumed();
            curl_easy_pause(transfer->handle(), CURLPAUSE_CONT);
        }
    }
}

int CurlMultiLoop::pollTimeoutMs() const
{
    // Transfers paused while the budget has room wait for their file's hash, which wakes
    // the loop when it catches up.
    if (!m_budget.isLimited() || m_budget.untilAvailable().count() == 0)
        return kPollTimeoutMs;
    // Transfers waiting for the budget are resumed as soon as it has refilled.
    for (const auto &transfer : std::as_const(m_active)) {
        if (transfer->isPaused())
            return static_cast<int>(std::clamp<qint64>(m_budget.untilAvailable().count(), 1, kPollTimeoutMs));
    }
    return kPollTimeoutMs;
}

void CurlMultiLoop::applyBandwidthLimit()
{
    const std::lock_guard lock(m_mutex);
    if (!m_limitChanged)
        return;
    m_limitChanged = false;
    m_budget.setLimit(m_bandwidthLimit);
}

void CurlMultiLoop::collectFinished()
{
    int queued = 0;
    while (CURLMsg *message = curl_multi_info_read(m_multi.get(), &queued)) {
        if (message->msg != CURLMSG_DONE)
            continue;
        CURL *handle = message->easy_handle;
        const CURLcode code = message->data.result;
        curl_multi_remove_handle(m_multi.get(), handle);
        std::shared_ptr<MediaTransfer> transfer = m_active.take(handle);
        if (!transfer)
            continue;
        transfer->complete(code);
        {
            const std::lock_guard lock(m_mutex);
            --m_activeCount;
        }
        m_finished(std::move(transfer));
    }
}

void CurlMultiLoop::finishAll()
{
    admitNew();
    for (auto it = m_active.begin(); it != m_active.end(); it = m_active.erase(it)) {
        curl_multi_remove_handle(m_multi.get(), it.key());
        it.value()->complete(CURLE_ABORTED_BY_CALLBACK);
        m_finished(it.value());
    }
    const std::lock_guard lock(m_mutex);
    m_activeCount = 0;
}

} // namespace earshot
