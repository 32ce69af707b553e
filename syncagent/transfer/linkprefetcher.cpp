#include "transfer/linkprefetcher.h"

#include "agentlogging.h"

using namespace std::chrono;

namespace earshot {

namespace {

// An error fetched ahead is handed over this long; later the engine's request is made
// again, because a server that was away may be back.
constexpr milliseconds kErrorFreshFor{5000};
// Links fetched and never asked for (the engine stopped, or the queue changed) are
// dropped when this many have piled up.
constexpr qsizetype kMaxKept = 256;

} // namespace

LinkPrefetcher::LinkPrefetcher(RecordingLinks &direct, ClientFactory makeClient)
    : m_direct(direct)
    , m_makeClient(std::move(makeClient))
    , m_thread([this] { run(); })
{
}

LinkPrefetcher::~LinkPrefetcher()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_wanted.clear();
    }
    // A request under way (a server slow to answer, retries with backoff) must not hold
    // the agent's exit back.
    m_stop.store(true);
    m_changed.notify_all();
    m_thread.join();
}

void LinkPrefetcher::prefetch(const QStringList &callIds)
{
    {
        const std::lock_guard lock(m_mutex);
        // The engine's latest view of what comes next replaces the earlier one.
        m_wanted.clear();
        for (const QString &callId : callIds) {
            if (callId != m_fetching && !m_fetched.contains(callId))
                m_wanted.push_back(callId);
        }
    }
    m_changed.notify_all();
}

SyncResult<RecordingLink> LinkPrefetcher::link(const QString &callId)
{
    std::shared_ptr<Fetched> fetched;
    {
        std::unique_lock lock(m_mutex);
        std::erase(m_wanted, callId);
        // Under way: waiting for it is never longer than asking again.
        m_changed.wait(lock, [this, &callId] { return m_fetching != callId; });
        fetched = m_fetched.take(callId);
    }
    if (fetched) {
        if (auto answer = usable(*fetched))
            return std::move(*answer);
    }
    return m_direct.link(callId);
}

std::optional<SyncResult<RecordingLink>> LinkPrefetcher::usable(const Fetched &fetched)
{
    const milliseconds age{fetched.age.elapsed()};
    if (!fetched.result) {
        if (age > kErrorFreshFor)
            return std::nullopt;
        return fetched.result;
    }
    RecordingLink link = *fetched.result;
    // Whole seconds surely left: the age is counted in whole milliseconds, so the link may
    // be up to one more older than that; a link handed over within the millisecond it came
    // has less than its full lifetime left, not all of it.
    const qint64 left = link.expiresInSeconds - duration_cast<seconds>(age + 1000ms).count();
    // The engine refreshes a link within min(30 s, a fifth of its lifetime) of its expiry,
    // and sees only what is left of this one: with at least half of its life left, that
    // margin is still at least half the usual one. Older links (downloads so slow that the
    // queue hardly moves) are asked for again.
    if (left <= 0 || 2 * left < link.expiresInSeconds)
        return std::nullopt;
    link.expiresInSeconds = left;
    return SyncResult<RecordingLink>(std::move(link));
}

void LinkPrefetcher::run()
{
    std::unique_ptr<RecordingLinks> client;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [this] { return m_stopping || !m_wanted.empty(); });
        if (m_stopping)
            return;
        const QString callId = m_wanted.front();
        m_wanted.pop_front();
        m_fetching = callId;
        lock.unlock();
        if (!client)
            client = m_makeClient(&m_stop);
        auto fetched = std::make_shared<Fetched>(Fetched{client->link(callId), {}});
        fetched->age.start();
        if (!fetched->result)
            qCDebug(lcTransfer).noquote() << "link fetched ahead for call" << callId
                                          << "failed:" << fetched->result.error().message;
        const bool failed = !fetched->result;
        lock.lock();
        m_fetching.clear();
        if (m_fetched.size() >= kMaxKept)
            m_fetched.clear(); // only links nobody asked for pile up this far
        m_fetched.insert(callId, std::move(fetched));
        if (failed)
            m_wanted.clear(); // a server in trouble gets no more requests ahead of need
        m_changed.notify_all();
    }
}

} // namespace earshot
