#pragma once

#include "audit/auditlog.h"
#include "audit/localcopydeletion.h"
#include "cache/cachedcopy.h"
#include "expected.h"

#include <QSqlDatabase>

namespace earshot {

class CacheFolder;

// Deletes cached copies on the agent's own initiative. Each row change and its
// recording.deleted_local audit event (with the reason) commit in one transaction; the
// files go after the commit, so a crash leaves at worst an unreferenced file, which the
// start-up reconcile removes, and never a row that names a file already gone.
class LocalCopyRemoval
{
public:
    using Reason = LocalCopyDeletionReason;

    LocalCopyRemoval(QSqlDatabase db, const CacheFolder &cache, QString userId);

    // The copies removed (those still present as read); the rest changed meanwhile.
    Expected<int> remove(const QList<CachedCopy> &copies, Reason reason);

    // Partial downloads the agent may no longer keep: the rows go back to absent, then the
    // files go. Not copies the user had, so not audited. Those a download took over
    // meanwhile (another file name) are left alone. Returns how many went.
    Expected<int> forgetPartials(const QList<PartialDownload> &partials, Reason reason);

private:
    QSqlDatabase m_db;
    const CacheFolder &m_cache;
    QString m_userId;
    AuditLog m_audit;
};

} // namespace earshot
