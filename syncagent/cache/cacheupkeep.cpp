#include "cache/cacheupkeep.h"

#include "store/syncstate.h"
#include "store/writetransaction.h"

using namespace Qt::StringLiterals;

namespace earshot {

Expected<int> CacheUpkeep::applyRetention(int retentionDays, qint64 nowMs)
{
    SyncState state(m_db);
    if (state.value(SyncState::kLocalRetentionDays) != QString::number(retentionDays)) {
        WriteTransaction transaction(m_db);
        if (!transaction.isOpen())
            return Expected<int>::failure(transaction.beginError());
        if (!state.setValue(SyncState::kLocalRetentionDays, QString::number(retentionDays)))
            return Expected<int>::failure(u"cannot remember the retention period in the local store"_s);
        if (Status committed = transaction.commit(); !committed)
            return Expected<int>::failure(committed.error());
    }
    m_policy.setRetentionDays(retentionDays);
    return m_retention.run(retentionDays, nowMs);
}

Expected<int> CacheUpkeep::applyRememberedRetention(qint64 nowMs)
{
    bool known = false;
    const int days = SyncState(m_db).value(SyncState::kLocalRetentionDays).toInt(&known);
    if (!known || days < 0)
        return 0;
    m_policy.setRetentionDays(days);
    return m_retention.run(days, nowMs);
}

} // namespace earshot
