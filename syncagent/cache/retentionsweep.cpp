#include "cache/retentionsweep.h"

#include "cache/localcopyremoval.h"

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
    return removed + *count;
}

} // namespace earshot
