#include "cache/evictionplanner.h"

#include <algorithm>

namespace earshot {

CachePlan EvictionPlanner::plan(const QList<CachedCopy> &cached, QList<WantedRecording> wanted) const
{
    CachePlan plan;
    qint64 used = 0;
    QList<CachedCopy> evictable; // unpinned, least recently used first
    for (const CachedCopy &copy : cached) {
        used += copy.sizeBytes;
        if (!copy.pinned)
            evictable.append(copy);
    }
    std::stable_sort(evictable.begin(), evictable.end(), [](const CachedCopy &a, const CachedCopy &b) {
        if (a.lastUsedAtMs != b.lastUsedAtMs)
            return a.lastUsedAtMs < b.lastUsedAtMs;
        return a.callStartedAtMs < b.callStartedAtMs;
    });
    std::vector<bool> evicted(static_cast<size_t>(evictable.size()), false);
    const auto evict = [&](qsizetype index) {
        evicted[static_cast<size_t>(index)] = true;
        used -= evictable[index].sizeBytes;
        plan.evict.append(evictable[index]);
    };

    for (qsizetype i = 0; i < evictable.size() && used > m_quotaBytes; ++i)
        evict(i);
    plan.pinsExceedQuota = used > m_quotaBytes;

    std::stable_sort(wanted.begin(), wanted.end(), [](const WantedRecording &a, const WantedRecording &b) {
        if (a.pinned != b.pinned)
            return a.pinned;
        return a.callStartedAtMs > b.callStartedAtMs;
    });
    for (const WantedRecording &recording : std::as_const(wanted)) {
        if (used + recording.sizeBytes <= m_quotaBytes) {
            used += recording.sizeBytes;
            plan.fetch.append(recording.recordingId);
            continue;
        }
        const auto outranked = [&recording](const CachedCopy &copy) {
            return recording.pinned || copy.lastUsedAtMs < recording.callStartedAtMs;
        };
        qint64 room = m_quotaBytes - used;
        QList<qsizetype> victims;
        for (qsizetype i = 0; i < evictable.size() && room < recording.sizeBytes; ++i) {
            if (evicted[static_cast<size_t>(i)] || !outranked(evictable[i]))
                continue;
            victims.append(i);
            room += evictable[i].sizeBytes;
        }
        if (room < recording.sizeBytes && !recording.pinned) {
            plan.doesNotFit.append(recording.recordingId);
            continue;
        }
        for (qsizetype index : std::as_const(victims))
            evict(index);
        used += recording.sizeBytes;
        plan.fetch.append(recording.recordingId);
        if (used > m_quotaBytes)
            plan.pinsExceedQuota = true;
    }
    plan.bytesAfter = used;
    return plan;
}

} // namespace earshot
