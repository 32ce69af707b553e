#include "cache/retentionsweep.h"

#include "cache/localcopyremoval.h"
#include "sync/cachefolder.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr qint64 kDayMs = 24 * 3600 * 1000;

} // namespace

Expected<int> RetentionSweep::run(int retentionDays, qint64 nowMs)
{
    int removed = 0;
    if (retentionDays > 0) {
        auto expired = readCachedCopies(m_db, {}, u"r.cached_at < ?"_s, {nowMs - qint64(retentionDays) * kDayMs});
        if (!expired)
            return Expected<int>::failure(expired.error());
        auto count = m_removal.remove(*expired, LocalCopyRemoval::Reason::Retention);
        if (!count)
            return count;
        removed += *count;
    }
    auto withdrawn = readCachedCopies(m_db, {}, u"r.status = 'unavailable'"_s);
    if (!withdrawn)
        return Expected<int>::failure(withdrawn.error());
    auto count = m_removal.remove(*withdrawn, LocalCopyRemoval::Reason::DeletedOnServer);
    if (!count)
        return count;
    if (Status partials = sweepPartials(retentionDays, nowMs); !partials)
        return Expected<int>::failure(partials.error());
    return removed + *count;
}

Status RetentionSweep::sweepPartials(int retentionDays, qint64 nowMs)
{
    const qint64 cutoff = retentionDays > 0 ? nowMs - qint64(retentionDays) * kDayMs : 0;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(uR"(SELECT r.id, r.cache_file, r.status = 'unavailable' FROM recordings r JOIN calls c ON c.id = r.call_id
                      WHERE r.cache_state = 'partial' AND r.cache_file IS NOT NULL
                        AND (r.status = 'unavailable' OR c.started_at < ?))"_s);
    query.addBindValue(cutoff);
    if (!query.exec())
        return Status::failure(u"cannot read the partial downloads: "_s + query.lastError().text());
    QList<LocalCopyRemoval::Partial> withdrawn, expired;
    const QDateTime cutoffTime = QDateTime::fromMSecsSinceEpoch(cutoff);
    while (query.next()) {
        LocalCopyRemoval::Partial partial{query.value(0).toString(), query.value(1).toString()};
        if (query.value(2).toBool()) {
            withdrawn.append(partial);
        } else {
            // A person may be playing an old call through the agent now: its partial is
            // fresh, and becomes a copy that expires in its turn.
            const QFileInfo file(m_cache.filePath(partial.cacheFile));
            if (!file.exists() || file.lastModified() < cutoffTime)
                expired.append(partial);
        }
    }
    if (auto gone = m_removal.forgetPartials(withdrawn, LocalCopyRemoval::Reason::DeletedOnServer); !gone)
        return Status::failure(gone.error());
    if (auto gone = m_removal.forgetPartials(expired, LocalCopyRemoval::Reason::Retention); !gone)
        return Status::failure(gone.error());
    return Status::ok();
}

} // namespace earshot
