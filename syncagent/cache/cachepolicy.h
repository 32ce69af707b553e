#pragma once

#include "cache/evictionplanner.h"
#include "transfer/transferledger.h"

#include <QSqlDatabase>

namespace earshot {

class LocalCopyRemoval;

// The offline cache's policy, applied whenever the transfer engine takes the recordings
// that are due (TransferOptions::admitDue): pinned recordings first, then the newest
// calls; within the quota (EvictionPlanner), evicting what must go first; nothing whose
// call is older than the server's retention period (it would only be deleted again).
// The player's "fetch this range first" bypasses it, and the next pass evicts if needed.
class CachePolicy
{
public:
    static constexpr qint64 kDefaultQuotaBytes = qint64(10) * 1024 * 1024 * 1024;

    CachePolicy(QSqlDatabase db, LocalCopyRemoval &removal, qint64 quotaBytes);

    // From the server's audit policy, every pass; 0 keeps copies however old.
    void setRetentionDays(int days) { m_retentionDays = days; }
    int retentionDays() const { return m_retentionDays; }
    // Calls that started before this are not fetched; the lowest value when all are.
    qint64 oldestCallToKeepMs(qint64 nowMs) const;
    qint64 quotaBytes() const { return m_quotaBytes; }

    // The recordings to fetch, in order, from a window of those due (newest calls first)
    // and the pinned ones due that it left out, read from `ledger`; evicts first. On a
    // store error nothing is fetched and takeProblem() says why, for the pass to report.
    QList<TransferCandidate> admit(QList<TransferCandidate> due, const TransferLedger &ledger);
    QString takeProblem() { return std::exchange(m_lastProblem, {}); }

private:
    QSqlDatabase m_db;
    LocalCopyRemoval &m_removal;
    qint64 m_quotaBytes;
    int m_retentionDays = 0;
    QString m_lastProblem;
};

} // namespace earshot
