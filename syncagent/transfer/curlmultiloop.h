#pragma once

#include "http/curlhandles.h"
#include "transfer/mediatransfer.h"

#include <QHash>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace earshot {

// The transfer thread: one libcurl multi handle, so that every media request shares one
// connection pool (kept-alive connections are reused, HTTP/2 streams multiplexed when a
// server offers it), driven with curl_multi_poll and woken with curl_multi_wakeup.
//
// Why a thread of its own rather than socket notifiers on the agent's Qt loop: the agent
// thread makes blocking calls (the API client, SQLite commits with fsync), and bytes must
// keep flowing meanwhile; the body callbacks only cut chunks and queue them, so this
// thread stays light and the sealing, hashing and writing run on the worker pool.
class CurlMultiLoop
{
public:
    // Called on the transfer thread when a transfer has ended; the transfer's outcome()
    // is then final and this loop no longer touches it.
    using Finished = std::function<void(std::shared_ptr<MediaTransfer>)>;

    explicit CurlMultiLoop(Finished finished);
    ~CurlMultiLoop(); // cancels what is running (reported as Cancelled) and joins the thread
    CurlMultiLoop(const CurlMultiLoop &) = delete;
    CurlMultiLoop &operator=(const CurlMultiLoop &) = delete;

    bool start();

    // Any thread.
    void add(std::shared_ptr<MediaTransfer> transfer);
    // Looks again at paused transfers and cancel requests now rather than at the next tick.
    void wake();
    // Bytes per second for all transfers together; 0 for no limit.
    void setBandwidthLimit(qint64 bytesPerSecond);
    int activeCount() const;

private:
    void run();
    void admitNew();
    void serviceActive();
    void collectFinished();
    void applyBandwidthLimit();
    int pollTimeoutMs() const;
    void finishAll();

    Finished m_finished;
    http::CurlMultiHandle m_multi;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<MediaTransfer>> m_incoming;
    bool m_stopping = false;
    qint64 m_bandwidthLimit = 0;
    bool m_limitChanged = false;
    int m_activeCount = 0;

    // Transfer thread only.
    QHash<CURL *, std::shared_ptr<MediaTransfer>> m_active;
    BandwidthBudget m_budget;
};

} // namespace earshot
