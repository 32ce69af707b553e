#include "cache/cachepolicy.h"

#include "agentlogging.h"
#include "cache/localcopyremoval.h"
#include "cache/pinnedrecordings.h"

#include <QDateTime>
#include <QHash>

#include <limits>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr qint64 kDayMs = 24 * 3600 * 1000;

} // namespace

CachePolicy::CachePolicy(QSqlDatabase db, LocalCopyRemoval &removal, qint64 quotaBytes)
    : m_db(std::move(db))
    , m_removal(removal)
    , m_quotaBytes(quotaBytes)
{
}

qint64 CachePolicy::oldestCallToKeepMs(qint64 nowMs) const
{
    return m_retentionDays > 0 ? nowMs - qint64(m_retentionDays) * kDayMs : std::numeric_limits<qint64>::min();
}

QList<TransferCandidate> CachePolicy::admit(QList<TransferCandidate> due, const TransferLedger &ledger)
{
    m_lastProblem.clear();
    const auto pinned = PinnedRecordings(m_db).recordingIds();
    if (!pinned) {
        m_lastProblem = pinned.error();
        return {};
    }
    const auto cached = readCachedCopies(m_db, *pinned);
    if (!cached) {
        m_lastProblem = cached.error();
        return {};
    }
    // Pins come first however old their calls: those not cached that the window of newest
    // calls left out.
    QSet<QString> outsideWindow = *pinned;
    for (const TransferCandidate &candidate : std::as_const(due))
        outsideWindow.remove(candidate.recordingId);
    for (const CachedCopy &copy : *cached)
        outsideWindow.remove(copy.recordingId);
    if (!outsideWindow.isEmpty()) {
        auto pinnedDue = ledger.dueAmong(QDateTime::currentMSecsSinceEpoch(), outsideWindow.values());
        if (!pinnedDue) {
            m_lastProblem = pinnedDue.error();
            return {};
        }
        due.append(std::move(*pinnedDue));
    }
    const qint64 oldestToKeep = oldestCallToKeepMs(QDateTime::currentMSecsSinceEpoch());
    QList<WantedRecording> wanted;
    QHash<QString, TransferCandidate> byId;
    int tooOld = 0;
    for (TransferCandidate &candidate : due) {
        if (candidate.callStartedAtMs < oldestToKeep) {
            ++tooOld;
            continue;
        }
        wanted.append({candidate.recordingId, candidate.sizeBytes, candidate.callStartedAtMs,
                       pinned->contains(candidate.recordingId)});
        byId.insert(candidate.recordingId, std::move(candidate));
    }

    const CachePlan plan = EvictionPlanner(m_quotaBytes).plan(*cached, std::move(wanted));
    int evicted = 0;
    if (!plan.evict.isEmpty()) {
        auto removed = m_removal.remove(plan.evict, LocalCopyRemoval::Reason::Quota);
        if (!removed) {
            m_lastProblem = removed.error();
            return {};
        }
        evicted = *removed;
    }
    if (plan.pinsExceedQuota)
        qCWarning(lcCache).noquote() << u"the pinned recordings need %1 bytes, more than the cache quota of %2 bytes; "
                                        "pins are kept all the same, and nothing else is"_s
                                            .arg(plan.bytesAfter)
                                            .arg(m_quotaBytes);
    qCInfo(lcCache).noquote() << u"cache plan: of %6 due looked at, %1 to fetch, %2 evicted, %3 do not fit in the "
                                 "quota of %4 bytes, %5 older than the retention period"_s.arg(plan.fetch.size())
                                     .arg(evicted)
                                     .arg(plan.doesNotFit.size())
                                     .arg(m_quotaBytes)
                                     .arg(tooOld)
                                     .arg(due.size());
    QList<TransferCandidate> admitted;
    admitted.reserve(plan.fetch.size());
    for (const QString &id : plan.fetch)
        admitted.append(byId.take(id));
    return admitted;
}

} // namespace earshot
