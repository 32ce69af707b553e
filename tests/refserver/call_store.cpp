#include "call_store.h"

#include "call_json.h"
#include "database.h"
#include "logging.h"

#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFileInfo>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

// Column order shared by the single-call SELECTs below and readRow().
const QString selectColumns = u"SELECT c.seq, c.id, c.deleted, c.updated_at, l.id, l.name, l.phone, "
                              "c.agent_seq, a.id, a.name, d.id, d.name, c.direction, c.outcome, "
                              "c.started_at, c.duration_seconds, r.id, r.format, r.size_bytes, "
                              "r.duration_seconds, r.sha256, r.channels, r.status, r.clip_file, "
                              "r.last_fetched_at "
                              "FROM calls c "
                              "JOIN leads l ON l.seq = c.lead_seq "
                              "JOIN agents a ON a.seq = c.agent_seq "
                              "LEFT JOIN dial_lists d ON d.seq = c.list_seq "
                              "LEFT JOIN recordings r ON r.call_seq = c.seq "_s;

CallRow readRow(const QSqlQuery &q)
{
    CallRow row;
    row.seq = q.value(0).toLongLong();
    row.id = q.value(1).toString();
    row.deleted = q.value(2).toInt() != 0;
    row.updatedAtMs = q.value(3).toLongLong();
    row.agentSeq = q.value(7).toLongLong(); // tombstones keep their owner for agent scoping
    if (row.deleted)
        return row; // a tombstone says nothing more
    row.leadId = q.value(4).toString();
    row.leadName = q.value(5).toString();
    row.leadPhone = q.value(6).toString();
    row.agentId = q.value(8).toString();
    row.agentName = q.value(9).toString();
    row.listId = q.value(10).toString();
    row.listName = q.value(11).toString();
    row.direction = q.value(12).toString();
    row.outcome = q.value(13).toString();
    row.startedAtMs = q.value(14).toLongLong();
    row.durationSeconds = q.value(15).toLongLong();
    const QVariant recordingId = q.value(16);
    if (!recordingId.isNull()) {
        RecordingRow recording;
        recording.id = recordingId.toString();
        recording.format = q.value(17).toString();
        recording.sizeBytes = q.value(18).toLongLong();
        recording.durationSeconds = q.value(19).toDouble();
        recording.sha256 = q.value(20).toString();
        recording.channels = q.value(21).toInt();
        recording.status = q.value(22).toString();
        recording.clipFile = q.value(23).toString();
        recording.lastFetchedAtMs = q.value(24).toLongLong();
        row.recording = recording;
    }
    return row;
}

} // namespace

CallStore::CallStore(Database &db, UpdateClock &clock) : m_db(db), m_clock(clock) { }

bool CallStore::prepare()
{
    // Row values compare (updated_at, id) lexicographically, and SQLite walks the
    // calls_by_update (or calls_by_agent_update) index for them: the index order is the
    // output order and LIMIT stops the scan.
    const QString order = u" ORDER BY updated_at, id LIMIT ?"_s;
    m_pageAll = m_db.prepare(u"SELECT json, updated_at, id FROM calls WHERE (updated_at, id) > (?, ?)"_s + order);
    m_pageAgent = m_db.prepare(u"SELECT json, updated_at, id FROM calls "
                               "WHERE agent_seq = ? AND (updated_at, id) > (?, ?)"_s + order);
    m_byId = m_db.prepare(selectColumns + u"WHERE c.id = ?"_s);
    m_byRecordingId = m_db.prepare(selectColumns + u"WHERE c.seq = (SELECT call_seq FROM recordings "
                                                   "WHERE id = ?)"_s);
    m_bySeq = m_db.prepare(selectColumns + u"WHERE c.seq = ?"_s);
    m_storeJson = m_db.prepare(u"UPDATE calls SET json = ? WHERE seq = ?"_s);

    QSqlQuery newest = m_db.prepare(u"SELECT MAX(updated_at) FROM calls"_s);
    if (!newest.exec())
        return logQueryError(newest, "read the newest updated_at");
    if (newest.next())
        m_clock.observe(newest.value(0).toLongLong());
    return true;
}

CallPage CallStore::page(const CallCursor &after, int limit, qint64 agentScope)
{
    QSqlQuery &query = agentScope ? m_pageAgent : m_pageAll;
    int index = 0;
    if (agentScope)
        query.bindValue(index++, agentScope);
    query.bindValue(index++, after.updatedAtMs);
    query.bindValue(index++, after.id);
    query.bindValue(index++, limit + 1);
    CallPage page;
    page.last = after;
    if (!query.exec()) {
        logQueryError(query, "calls page");
        return page;
    }
    page.rowsJson.reserve(qsizetype(limit) * 512);
    while (query.next()) {
        if (page.rowCount == limit) {
            page.hasMore = true;
            break;
        }
        if (page.rowCount++)
            page.rowsJson.append(',');
        page.rowsJson.append(query.value(0).toByteArray());
        page.last.updatedAtMs = query.value(1).toLongLong();
        page.last.id = query.value(2).toString();
    }
    query.finish(); // release the read snapshot so WAL checkpoints can proceed
    return page;
}

std::optional<CallRow> CallStore::single(QSqlQuery &query, qint64 agentScope)
{
    std::optional<CallRow> row;
    if (!query.exec())
        logQueryError(query, "call lookup");
    else if (query.next())
        row = readRow(query);
    query.finish();
    if (row && agentScope && row->agentSeq != agentScope)
        row.reset();
    return row;
}

std::optional<CallRow> CallStore::byId(const QString &id, qint64 agentScope)
{
    m_byId.bindValue(0, id);
    return single(m_byId, agentScope);
}

std::optional<CallRow> CallStore::byRecordingId(const QString &recordingId, qint64 agentScope)
{
    m_byRecordingId.bindValue(0, recordingId);
    return single(m_byRecordingId, agentScope);
}

std::optional<CallRow> CallStore::bySeq(qint64 seq)
{
    m_bySeq.bindValue(0, seq);
    return single(m_bySeq, 0);
}

std::optional<CallRow> CallStore::commitChange(qint64 seq)
{
    auto row = bySeq(seq);
    if (row) {
        m_storeJson.bindValue(0, callJson(*row));
        m_storeJson.bindValue(1, seq);
        if (m_storeJson.exec() && m_db.commit())
            return row;
        logQueryError(m_storeJson, "store call json");
    }
    m_db.connection().rollback();
    return std::nullopt;
}

void CallStore::markRecordingFetched(qint64 callSeq)
{
    QSqlQuery update = m_db.prepare(u"UPDATE recordings SET last_fetched_at = ? WHERE call_seq = ?"_s);
    update.addBindValue(QDateTime::currentMSecsSinceEpoch());
    update.addBindValue(callSeq);
    if (!update.exec())
        logQueryError(update, "mark recording fetched");
}

std::optional<CallRow> CallStore::update(const QString &id, const CallChanges &changes)
{
    const auto current = byId(id, 0);
    if (!current || current->deleted || !m_db.transaction())
        return std::nullopt;
    QSqlQuery query = m_db.prepare(
        u"UPDATE calls SET outcome = ?, direction = ?, duration_seconds = ?, updated_at = ? WHERE seq = ?"_s);
    query.addBindValue(changes.outcome.value_or(current->outcome));
    query.addBindValue(changes.direction.value_or(current->direction));
    query.addBindValue(changes.durationSeconds.value_or(current->durationSeconds));
    query.addBindValue(m_clock.next());
    query.addBindValue(current->seq);
    if (!query.exec()) {
        logQueryError(query, "update call");
        m_db.connection().rollback();
        return std::nullopt;
    }
    return commitChange(current->seq);
}

std::optional<CallRow> CallStore::remove(const QString &id)
{
    const auto current = byId(id, 0);
    if (!current || current->deleted || !m_db.transaction())
        return std::nullopt;
    QSqlQuery query = m_db.prepare(u"UPDATE calls SET deleted = 1, updated_at = ? WHERE seq = ?"_s);
    query.addBindValue(m_clock.next());
    query.addBindValue(current->seq);
    if (!query.exec()) {
        logQueryError(query, "delete call");
        m_db.connection().rollback();
        return std::nullopt;
    }
    return commitChange(current->seq);
}

std::optional<CallRow> CallStore::setRecordingStatus(const QString &recordingId, const QString &status)
{
    const auto current = byRecordingId(recordingId, 0);
    if (!current || current->deleted || !m_db.transaction())
        return std::nullopt;
    // The recording is part of the call object, so the call's updated_at moves with it and
    // mirrors pick the new status up on their next page.
    QSqlQuery recording = m_db.prepare(u"UPDATE recordings SET status = ? WHERE call_seq = ?"_s);
    recording.addBindValue(status);
    recording.addBindValue(current->seq);
    QSqlQuery call = m_db.prepare(u"UPDATE calls SET updated_at = ? WHERE seq = ?"_s);
    call.addBindValue(m_clock.next());
    call.addBindValue(current->seq);
    if (!recording.exec() || !call.exec()) {
        logQueryError(recording, "set recording status");
        m_db.connection().rollback();
        return std::nullopt;
    }
    return commitChange(current->seq);
}

qint64 CallStore::nextSeq()
{
    QSqlQuery query = m_db.prepare(u"SELECT COALESCE(MAX(seq), 0) + 1 FROM calls"_s);
    return query.exec() && query.next() ? query.value(0).toLongLong() : 1;
}

std::optional<CallRow> CallStore::insert(const GeneratedCall &call, const FixtureClip *clip)
{
    const qint64 seq = nextSeq();
    if (!m_db.transaction())
        return std::nullopt;
    QSqlQuery insertCall = m_db.prepare(
        u"INSERT INTO calls(seq, id, lead_seq, agent_seq, list_seq, direction, outcome, started_at, "
        "duration_seconds, updated_at, json) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'')"_s);
    insertCall.addBindValue(seq);
    insertCall.addBindValue(u"call_%1"_s.arg(seq, 8, 10, QChar(u'0')));
    insertCall.addBindValue(call.leadSeq);
    insertCall.addBindValue(call.agentSeq);
    insertCall.addBindValue(call.listSeq ? QVariant(call.listSeq) : QVariant());
    insertCall.addBindValue(call.direction);
    insertCall.addBindValue(call.outcome);
    insertCall.addBindValue(call.startedAtMs);
    insertCall.addBindValue(call.durationSeconds);
    insertCall.addBindValue(m_clock.next());
    bool ok = insertCall.exec() || logQueryError(insertCall, "insert call");
    if (ok && call.recording && clip) {
        QSqlQuery insertRecording = m_db.prepare(
            u"INSERT INTO recordings(call_seq, id, clip_file, format, size_bytes, duration_seconds, "
            "sha256, channels, status) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
        insertRecording.addBindValue(seq);
        insertRecording.addBindValue(u"rec_%1"_s.arg(seq, 8, 10, QChar(u'0')));
        insertRecording.addBindValue(clip->file);
        insertRecording.addBindValue(clip->format);
        insertRecording.addBindValue(clip->sizeBytes);
        insertRecording.addBindValue(clip->durationSeconds);
        insertRecording.addBindValue(call.recording->shaKnown ? QVariant(clip->sha256) : QVariant());
        insertRecording.addBindValue(clip->channels);
        insertRecording.addBindValue(call.recording->status);
        ok = insertRecording.exec() || logQueryError(insertRecording, "insert recording");
    }
    if (!ok) {
        m_db.connection().rollback();
        return std::nullopt;
    }
    return commitChange(seq);
}

QString CallStore::clipPath(const QString &recordingsDir, const RecordingRow &recording)
{
    // clip_file was written by the seeder from the fixture manifest; still, refuse anything
    // that is not a plain file name.
    if (recording.clipFile.isEmpty() || QFileInfo(recording.clipFile).fileName() != recording.clipFile
        || recording.clipFile.startsWith(u'.'))
        return {};
    return QDir(recordingsDir).filePath(recording.clipFile);
}

} // namespace earshot::refserver
