#pragma once

#include "cache/cachedcopy.h"

#include <QList>
#include <QStringList>

namespace earshot {

// A recording the agent would like to have in the cache.
struct WantedRecording
{
    QString recordingId;
    qint64 sizeBytes = 0;
    qint64 callStartedAtMs = 0;
    bool pinned = false;
};

struct CachePlan
{
    QStringList fetch;               // in this order: pinned first, then newest calls first
    QList<CachedCopy> evict;         // least recently used first
    QStringList doesNotFit;          // wanted, but left out this time
    qint64 bytesAfter = 0;           // cached bytes once the plan is carried out
    bool pinsExceedQuota = false;    // pins alone need more than the quota
};

// Decides what the cache holds, within a quota of bytes (recordings' sizes; the encryption
// adds about 0.03%). Pure logic: the store and the files are someone else's business.
//
//  - Pinned copies are never evicted, and pinned recordings are always fetched: a pin is
//    the user's explicit "keep this offline", so pins beyond the quota crowd out every
//    unpinned copy and the plan says pinsExceedQuota.
//  - Over the quota, unpinned copies go least recently used first.
//  - A download starts only if it fits: in free room, or in room made by evicting
//    unpinned copies it outranks. A pinned download outranks every unpinned copy; an
//    unpinned one only copies not used since its own call took place. So an older call
//    never displaces a newer or more recently played one, and what was evicted is not
//    fetched back at the expense of what replaced it (no churn from pass to pass).
//  - What does not fit is skipped, and smaller, lower-ranked recordings may still use the
//    room that is left.
class EvictionPlanner
{
public:
    explicit EvictionPlanner(qint64 quotaBytes) : m_quotaBytes(quotaBytes) {}

    CachePlan plan(const QList<CachedCopy> &cached, QList<WantedRecording> wanted) const;

private:
    qint64 m_quotaBytes;
};

} // namespace earshot
