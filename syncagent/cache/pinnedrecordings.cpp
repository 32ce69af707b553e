#include "cache/pinnedrecordings.h"

#include "agentlogging.h"
#include "domain/callfilter.h"
#include "store/callquery.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

PinnedRecordings::Condition PinnedRecordings::conditionFor(const QList<Pin> &pins)
{
    Condition condition;
    QStringList alternatives;
    for (const Pin &pin : pins) {
        switch (pin.kind) {
        case Pin::Kind::Call:
            alternatives << u"c.id = ?"_s;
            condition.values << pin.target;
            break;
        case Pin::Kind::Lead:
            alternatives << u"c.lead_id = ?"_s;
            condition.values << pin.target;
            break;
        case Pin::Kind::Agent:
            alternatives << u"c.agent_id = ?"_s;
            condition.values << pin.target;
            break;
        case Pin::Kind::List:
            if (pin.target.isEmpty()) {
                alternatives << u"c.list_id IS NULL"_s;
            } else {
                alternatives << u"c.list_id = ?"_s;
                condition.values << pin.target;
            }
            break;
        case Pin::Kind::Filter: {
            const auto filter = CallFilter::fromJson(pin.target.toUtf8());
            if (!filter) {
                qCWarning(lcCache).noquote() << u"the pinned filter \"%1\" is ignored: %2"_s.arg(pin.label, filter.error());
                break;
            }
            const CallFilterSql sql(*filter);
            alternatives << sql.expression();
            condition.values << sql.values;
            break;
        }
        }
    }
    condition.sql = alternatives.isEmpty() ? u"0"_s : u"("_s + alternatives.join(u" OR "_s) + u")"_s;
    return condition;
}

Expected<QSet<QString>> PinnedRecordings::recordingIds() const
{
    auto pins = PinStore(m_db).pins();
    if (!pins)
        return Expected<QSet<QString>>::failure(pins.error());
    QSet<QString> ids;
    if (pins->isEmpty())
        return ids;
    const Condition condition = conditionFor(*pins);
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(u"SELECT r.id FROM recordings r JOIN calls c ON c.id = r.call_id WHERE "_s + condition.sql);
    for (const QVariant &value : condition.values)
        query.addBindValue(value);
    if (!query.exec())
        return Expected<QSet<QString>>::failure(u"cannot find the pinned recordings: "_s + query.lastError().text());
    while (query.next())
        ids.insert(query.value(0).toString());
    return ids;
}

Expected<PinnedRecordings::Reach> PinnedRecordings::reach(const Pin &pin, qint64 oldestCallToKeepMs) const
{
    const Condition condition = conditionFor({pin});
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(u"SELECT count(*), IFNULL(sum(c.started_at < ?), 0) FROM recordings r JOIN calls c ON c.id = r.call_id "
                  "WHERE "_s + condition.sql);
    query.addBindValue(oldestCallToKeepMs);
    for (const QVariant &value : condition.values)
        query.addBindValue(value);
    if (!query.exec() || !query.next())
        return Expected<Reach>::failure(u"cannot count the pinned recordings: "_s + query.lastError().text());
    return Reach{query.value(0).toInt(), query.value(1).toInt()};
}

} // namespace earshot
