#include "cache/evictionplanner.h"

#include <algorithm>
#include <vector>

namespace earshot {

// Victims always come from the front of the least-recently-used order: any of it for a
// pinned download, the part used before the call took place for an unpinned one. So the
// evicted copies are always a prefix of that order, and with prefix sums of the sizes
// each download is decided in O(log n): a million due against tens of thousands cached
// is planned in well under a second.
CachePlan EvictionPlanner::plan(const QList<CachedCopy> &cached, QList<WantedRecording> wanted) const
{
    CachePlan plan;
    qint64 cachedBytes = 0;
    QList<CachedCopy> evictable; // unpinned, least recently used first
    for (const CachedCopy &copy : cached) {
        cachedBytes += copy.sizeBytes;
        if (!copy.pinned)
            evictable.append(copy);
    }
    std::stable_sort(evictable.begin(), evictable.end(), [](const CachedCopy &a, const CachedCopy &b) {
        if (a.lastUsedAtMs != b.lastUsedAtMs)
            return a.lastUsedAtMs < b.lastUsedAtMs;
        return a.callStartedAtMs < b.callStartedAtMs;
    });
    const qsizetype count = evictable.size();
    std::vector<qint64> bytesBefore(static_cast<size_t>(count) + 1, 0); // of evictable[0, i)
    for (qsizetype i = 0; i < count; ++i)
        bytesBefore[static_cast<size_t>(i) + 1] = bytesBefore[static_cast<size_t>(i)] + evictable[i].sizeBytes;
    const auto before = [&bytesBefore](qsizetype index) { return bytesBefore[static_cast<size_t>(index)]; };

    qsizetype evicted = 0; // evictable[0, evicted) go
    qint64 fetchBytes = 0;
    const auto used = [&] { return cachedBytes - before(evicted) + fetchBytes; };
    const auto evictUpTo = [&](qsizetype end) {
        for (; evicted < end; ++evicted)
            plan.evict.append(evictable[evicted]);
    };

    while (evicted < count && used() > m_quotaBytes)
        evictUpTo(evicted + 1);
    plan.pinsExceedQuota = used() > m_quotaBytes;

    std::stable_sort(wanted.begin(), wanted.end(), [](const WantedRecording &a, const WantedRecording &b) {
        if (a.pinned != b.pinned)
            return a.pinned;
        return a.callStartedAtMs > b.callStartedAtMs;
    });
    for (const WantedRecording &recording : std::as_const(wanted)) {
        const qint64 free = m_quotaBytes - used();
        if (recording.sizeBytes <= free) {
            fetchBytes += recording.sizeBytes;
            plan.fetch.append(recording.recordingId);
            continue;
        }
        // The copies this download outranks: evictable[evicted, limit).
        qsizetype limit = count;
        if (!recording.pinned) {
            const auto firstKept = std::partition_point(evictable.cbegin(), evictable.cend(),
                                                        [&recording](const CachedCopy &copy) {
                                                            return copy.lastUsedAtMs < recording.callStartedAtMs;
                                                        });
            limit = std::max(evicted, static_cast<qsizetype>(firstKept - evictable.cbegin()));
        }
        const qint64 needed = recording.sizeBytes - free; // from evictions
        if (before(limit) - before(evicted) < needed && !recording.pinned) {
            plan.doesNotFit.append(recording.recordingId);
            continue;
        }
        // The fewest victims that make room; a pin that cannot fit takes all it may.
        const auto end = std::lower_bound(bytesBefore.cbegin() + evicted, bytesBefore.cbegin() + limit,
                                          before(evicted) + needed);
        evictUpTo(std::min(limit, static_cast<qsizetype>(end - bytesBefore.cbegin())));
        fetchBytes += recording.sizeBytes;
        plan.fetch.append(recording.recordingId);
        if (used() > m_quotaBytes)
            plan.pinsExceedQuota = true;
    }
    plan.bytesAfter = used();
    return plan;
}

} // namespace earshot
