#include "storeinspector.h"

#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

using namespace Qt::StringLiterals;

StoreInspector::StoreInspector(const QString &databasePath)
    : m_db(QSqlDatabase::addDatabase(u"QSQLITE"_s, u"inspector-"_s + QUuid::createUuid().toString()))
{
    m_db.setDatabaseName(databasePath);
    m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    m_db.open();
}

StoreInspector::~StoreInspector()
{
    const QString name = m_db.connectionName();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

QString StoreInspector::integrityCheck() const
{
    QSqlQuery query(u"PRAGMA integrity_check"_s, m_db);
    return query.next() ? query.value(0).toString() : u"cannot run integrity_check"_s;
}

qint64 StoreInspector::count(const QString &table) const
{
    QSqlQuery query(u"SELECT count(*) FROM "_s + table, m_db);
    return query.next() ? query.value(0).toLongLong() : -1;
}

QHash<QString, QString> StoreInspector::callsUpdatedAt() const
{
    QHash<QString, QString> calls;
    QSqlQuery query(u"SELECT id, updated_at FROM calls"_s, m_db);
    while (query.next())
        calls.insert(query.value(0).toString(), query.value(1).toString());
    return calls;
}

QString StoreInspector::callColumn(const QString &callId, const QString &column) const
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT "_s + column + u" FROM calls WHERE id = ?"_s);
    query.addBindValue(callId);
    return query.exec() && query.next() ? query.value(0).toString() : QString();
}

QVariant StoreInspector::recordingColumn(const QString &recordingId, const QString &column) const
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT "_s + column + u" FROM recordings WHERE id = ?"_s);
    query.addBindValue(recordingId);
    return query.exec() && query.next() ? query.value(0) : QVariant();
}

QList<StoredRecording> StoreInspector::recordings() const
{
    QList<StoredRecording> result;
    QSqlQuery query(u"SELECT id, call_id, format, size_bytes, IFNULL(sha256, ''), status, cache_state, "
                    "IFNULL(cache_file, ''), attempts, IFNULL(next_attempt_at, 0), IFNULL(last_error, ''), "
                    "IFNULL(gave_up_at, 0) "
                    "FROM recordings"_s,
                    m_db);
    while (query.next()) {
        result.append({query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                       query.value(3).toLongLong(), query.value(4).toString(), query.value(5).toString(),
                       query.value(6).toString(), query.value(7).toString(), query.value(8).toLongLong(),
                       query.value(9).toLongLong(), query.value(10).toString(), query.value(11).toLongLong()});
    }
    return result;
}

QString StoreInspector::syncState(const QString &key) const
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT value FROM sync_state WHERE key = ?"_s);
    query.addBindValue(key);
    return query.exec() && query.next() ? query.value(0).toString() : QString();
}

QStringList StoreInspector::indexNames() const
{
    QSqlQuery query(u"SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"_s, m_db);
    QStringList names;
    while (query.next())
        names.append(query.value(0).toString());
    return names;
}

QList<LocalAuditEvent> deletionEvents(const StoreInspector &store)
{
    QList<LocalAuditEvent> events;
    QSqlQuery query(u"SELECT event_id, IFNULL(recording_id, ''), IFNULL(reason, ''), uploaded_at IS NOT NULL, "
                    "IFNULL(server_error, '') FROM audit_events WHERE type = 'recording.deleted_local' ORDER BY seq"_s,
                    store.connection());
    while (query.next())
        events.append({query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                       query.value(3).toBool(), query.value(4).toString()});
    return events;
}
