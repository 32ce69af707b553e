#include "store/callquery.h"

#include "logging.h"
#include "store/searchfold.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

const QString kSelectRows = uR"(SELECT c.id, c.started_at, c.duration_seconds, c.lead_id, l.name, l.phone,
       c.agent_id, a.name, c.list_id, d.name, c.direction, c.outcome,
       r.id, r.format, r.status, r.cache_state, r.cache_file, r.channels, r.duration_seconds,
       r.gave_up_at, r.next_attempt_at, r.last_error, r.attempts
FROM calls c
JOIN leads l ON l.id = c.lead_id
JOIN agents a ON a.id = c.agent_id
LEFT JOIN dial_lists d ON d.id = c.list_id
LEFT JOIN recordings r ON r.call_id = c.id)"_s;

QString likePattern(const QString &text)
{
    QString escaped = text.trimmed();
    escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
    return u"%"_s + escaped + u"%"_s;
}

CallRow readRow(const QSqlQuery &query)
{
    CallRow row;
    row.id = query.value(0).toString();
    row.startedAtMs = query.value(1).toLongLong();
    row.durationSeconds = query.value(2).toLongLong();
    row.leadId = query.value(3).toString();
    row.leadName = query.value(4).toString();
    row.leadPhone = query.value(5).toString();
    row.agentId = query.value(6).toString();
    row.agentName = query.value(7).toString();
    row.listId = query.value(8).toString();
    row.listName = query.value(9).toString();
    row.direction = directionFromString(query.value(10).toString()).value_or(Direction::Outbound);
    row.outcome = query.value(11).toString();
    row.recordingId = query.value(12).toString();
    if (!row.recordingId.isEmpty()) {
        row.recordingFormat = query.value(13).toString();
        row.recordingStatus = recordingStatusFromString(query.value(14).toString());
        row.cacheState = cacheStateFromString(query.value(15).toString()).value_or(CacheState::Absent);
        row.cacheFile = query.value(16).toString();
        row.channels = query.value(17).toInt();
        row.recordingSeconds = query.value(18).toDouble();
        if (!query.value(19).isNull())
            row.downloadGaveUpAtMs = query.value(19).toLongLong();
        row.nextDownloadAtMs = query.value(20).toLongLong();
        row.lastDownloadError = query.value(21).toString();
        row.downloadAttempts = query.value(22).toInt();
    }
    return row;
}

} // namespace

CallFilterSql::CallFilterSql(const CallFilter &filter)
{
    if (!filter.leadText.trimmed().isEmpty()) {
        conditions << u"c.lead_id IN (SELECT id FROM leads WHERE name_folded LIKE ? ESCAPE '\\' "
                      "OR phone LIKE ? ESCAPE '\\')"_s;
        values << likePattern(foldedForSearch(filter.leadText)) << likePattern(filter.leadText);
    }
    if (!filter.agentId.isEmpty()) {
        conditions << u"c.agent_id = ?"_s;
        values << filter.agentId;
    }
    if (filter.listScope == CallFilter::ListScope::ManualDial) {
        conditions << u"c.list_id IS NULL"_s;
    } else if (filter.listScope == CallFilter::ListScope::Specific) {
        conditions << u"c.list_id = ?"_s;
        values << filter.listId;
    }
    if (!filter.outcome.isEmpty()) {
        conditions << u"c.outcome = ?"_s;
        values << filter.outcome;
    }
    if (filter.startedFrom) {
        conditions << u"c.started_at >= ?"_s;
        values << filter.startedFrom->toMSecsSinceEpoch();
    }
    if (filter.startedBefore) {
        conditions << u"c.started_at < ?"_s;
        values << filter.startedBefore->toMSecsSinceEpoch();
    }
}

QString CallFilterSql::where() const
{
    return conditions.isEmpty() ? QString() : u" WHERE "_s + conditions.join(u" AND "_s);
}

QString CallFilterSql::expression() const
{
    return conditions.isEmpty() ? u"1"_s : u"("_s + conditions.join(u" AND "_s) + u")"_s;
}

Expected<QList<CallRow>> CallQuery::fetchPage(const CallFilter &filter, const std::optional<CallPosition> &after,
                                              int limit) const
{
    CallFilterSql where(filter);
    if (after) {
        where.conditions << u"(c.started_at, c.id) < (?, ?)"_s;
        where.values << after->startedAtMs << after->id;
    }
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(kSelectRows + where.where() + u" ORDER BY c.started_at DESC, c.id DESC LIMIT ?"_s);
    for (const QVariant &value : std::as_const(where.values))
        query.addBindValue(value);
    query.addBindValue(limit);
    if (!query.exec())
        return Expected<QList<CallRow>>::failure(u"cannot read calls: "_s + query.lastError().text());
    QList<CallRow> rows;
    rows.reserve(limit);
    while (query.next())
        rows.append(readRow(query));
    return rows;
}

Expected<qint64> CallQuery::count(const CallFilter &filter) const
{
    const CallFilterSql where(filter);
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(u"SELECT count(*) FROM calls c"_s + where.where());
    for (const QVariant &value : where.values)
        query.addBindValue(value);
    if (!query.exec() || !query.next())
        return Expected<qint64>::failure(u"cannot count calls: "_s + query.lastError().text());
    return query.value(0).toLongLong();
}

Expected<CallRow> CallQuery::callById(const QString &callId) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(kSelectRows + u" WHERE c.id = ?"_s);
    query.addBindValue(callId);
    if (!query.exec())
        return Expected<CallRow>::failure(u"cannot read call %1: %2"_s.arg(callId, query.lastError().text()));
    if (!query.next())
        return Expected<CallRow>::failure(u"call %1 is no longer in the local store"_s.arg(callId));
    return readRow(query);
}

QList<Agent> CallQuery::agents() const
{
    QList<Agent> result;
    QSqlQuery query(u"SELECT id, name FROM agents ORDER BY name COLLATE NOCASE, id"_s, m_db);
    while (query.next())
        result.append({query.value(0).toString(), query.value(1).toString()});
    return result;
}

QList<DialList> CallQuery::dialLists() const
{
    QList<DialList> result;
    QSqlQuery query(u"SELECT id, name FROM dial_lists ORDER BY name COLLATE NOCASE, id"_s, m_db);
    while (query.next())
        result.append({query.value(0).toString(), query.value(1).toString()});
    return result;
}

QStringList CallQuery::outcomes() const
{
    QStringList result;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT name FROM outcomes ORDER BY name"_s))
        qCWarning(lcStore) << "cannot list outcomes:" << query.lastError().text();
    while (query.next())
        result.append(query.value(0).toString());
    return result;
}

} // namespace earshot
