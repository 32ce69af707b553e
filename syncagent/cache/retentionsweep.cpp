#include "cache/retentionsweep.h"

#include "cache/localcopyremoval.h"
#include "sync/cachefolder.h"

#include <QDateTime>
#include <QFileInfo>

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
    const auto withdrawn = readPartialDownloads(m_db, u"r.status = 'unavailable'"_s);
    if (!withdrawn)
        return Status::failure(withdrawn.error());
    if (auto gone = m_removal.forgetPartials(*withdrawn, LocalCopyRemoval::Reason::DeletedOnServer); !gone)
        return Status::failure(gone.error());
    if (retentionDays <= 0)
        return Status::ok();
    const qint64 cutoff = nowMs - qint64(retentionDays) * kDayMs;
    const auto old = readPartialDownloads(m_db, u"c.started_at < ?"_s, {cutoff});
    if (!old)
        return Status::failure(old.error());
    // A person may be playing an old call through the agent now: its partial is fresh,
    // and becomes a copy that expires in its turn.
    const QDateTime cutoffTime = QDateTime::fromMSecsSinceEpoch(cutoff);
    QList<PartialDownload> expired;
    for (const PartialDownload &partial : *old) {
        const QFileInfo file(m_cache.filePath(partial.cacheFile));
        if (!file.exists() || file.lastModified() < cutoffTime)
            expired.append(partial);
    }
    if (auto gone = m_removal.forgetPartials(expired, LocalCopyRemoval::Reason::Retention); !gone)
        return Status::failure(gone.error());
    return Status::ok();
}

} // namespace earshot
