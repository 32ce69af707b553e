#pragma once

#include "cache/cachepolicy.h"
#include "cache/cachereconciler.h"
#include "cache/localcopyremoval.h"
#include "cache/retentionsweep.h"

namespace earshot {

// The offline cache's policy parts, wired together for the agent: the start-up
// reconcile, the retention sweep of every pass, and the quota and priority policy that
// the transfer engine consults (admit) whenever it takes the recordings that are due.
// Every removal is audited as the user's (userId) recording.deleted_local.
class CacheUpkeep
{
public:
    CacheUpkeep(QSqlDatabase db, const CacheFolder &cache, QString userId, qint64 quotaBytes)
        : m_db(db)
        , m_removal(db, cache, std::move(userId))
        , m_policy(db, m_removal, quotaBytes)
        , m_retention(db, cache, m_removal)
        , m_reconciler(db, cache, m_removal)
    {
    }
    Q_DISABLE_COPY_MOVE(CacheUpkeep)

    CachePolicy &policy() { return m_policy; }
    Expected<CacheReconciler::Report> reconcile(const std::function<QStringList()> &referencedFiles)
    {
        return m_reconciler.run(referencedFiles);
    }
    Expected<int> discardCopiesOfALostKey() { return m_reconciler.discardEverything(); }
    // Copies found unreadable while in use (DamagedCopyCheck): removed and audited.
    Expected<int> discardDamagedCopies(const QList<CachedCopy> &copies)
    {
        return m_removal.remove(copies, LocalCopyRemoval::Reason::DamagedFile);
    }
    // Applies the server's retention now and to the downloads that follow, and remembers
    // it for the passes that cannot reach the server.
    Expected<int> applyRetention(int retentionDays, qint64 nowMs);
    // The retention last read from the server, applied without asking it: offline, copies
    // still expire. Nothing when no policy was ever read.
    Expected<int> applyRememberedRetention(qint64 nowMs);

private:
    QSqlDatabase m_db;
    LocalCopyRemoval m_removal;
    CachePolicy m_policy;
    RetentionSweep m_retention;
    CacheReconciler m_reconciler;
};

} // namespace earshot
