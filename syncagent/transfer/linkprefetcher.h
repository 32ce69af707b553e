#pragma once

#include "transfer/recordinglinks.h"

#include <QElapsedTimer>
#include <QHash>

#include <atomic>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace earshot {

// Asks the server for the links of the recordings the engine starts next while the
// current ones download. Each link is one request to the server (about a millisecond on
// loopback), made on the engine's thread it held every start back, and the engine's
// thread is the one that hands finished transfers their successors: mirroring 300 small
// recordings spent 0.3-0.4 s of its 0.85 s waiting for links.
//
// Only the first link of a recording is fetched ahead; refreshed links and availability
// polls go straight to the engine's own client. A link handed over has the lifetime it
// has left, so it is refreshed as if it had been asked for when it was fetched. An error
// is handed over like a link while it is fresh (the engine decides what it means, as for
// its own requests); an old one is asked again.
class LinkPrefetcher final : public RecordingLinks
{
public:
    // Makes the client the prefetch thread uses, on that thread. The client gives up its
    // request under way once `stop` is set, which the prefetcher does when it is destroyed.
    using ClientFactory = std::function<std::unique_ptr<RecordingLinks>(const std::atomic<bool> *stop)>;

    LinkPrefetcher(RecordingLinks &direct, ClientFactory makeClient);
    ~LinkPrefetcher() override; // stops the request under way and waits for the thread
    LinkPrefetcher(const LinkPrefetcher &) = delete;
    LinkPrefetcher &operator=(const LinkPrefetcher &) = delete;

    void prefetch(const QStringList &callIds) override;
    SyncResult<RecordingLink> link(const QString &callId) override;
    SyncResult<RecordingLink> refreshedLink(const QString &callId) override { return m_direct.refreshedLink(callId); }
    SyncResult<RecordingAvailability> availability(const QString &callId) override
    {
        return m_direct.availability(callId);
    }

private:
    struct Fetched
    {
        SyncResult<RecordingLink> result;
        QElapsedTimer age;
    };

    void run();
    // The fetched answer as if asked for now, or nothing when it is too old to use.
    static std::optional<SyncResult<RecordingLink>> usable(const Fetched &fetched);

    RecordingLinks &m_direct;
    ClientFactory m_makeClient;

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<QString> m_wanted; // call ids, next first
    QString m_fetching;           // the call id whose request is under way
    QHash<QString, std::shared_ptr<Fetched>> m_fetched;
    bool m_stopping = false;
    std::atomic<bool> m_stop{false}; // the same, for the client's request under way
    std::thread m_thread;            // last: started once everything above exists
};

} // namespace earshot
