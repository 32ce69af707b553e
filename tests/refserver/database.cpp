#include "database.h"

#include "logging.h"
#include "schema.h"

#include <QtCore/QUuid>
#include <QtSql/QSqlError>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

Database::Database()
    : m_connectionName(u"refserver-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

Database::~Database()
{
    if (m_db.isOpen())
        m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool Database::open(const QString &filePath, QString *error)
{
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    m_db.setDatabaseName(filePath);
    if (!m_db.open()) {
        *error = u"cannot open %1: %2"_s.arg(filePath, m_db.lastError().text());
        return false;
    }
    // WAL lets readers and the writer overlap; NORMAL is durable enough with WAL. The
    // cache and the memory map keep a million-call table's hot index pages in RAM.
    const bool ok = exec(u"PRAGMA journal_mode=WAL"_s) && exec(u"PRAGMA synchronous=NORMAL"_s)
                    && exec(u"PRAGMA cache_size=-131072"_s) && exec(u"PRAGMA mmap_size=1073741824"_s)
                    && exec(u"PRAGMA temp_store=MEMORY"_s);
    if (!ok || !createSchema(*this)) {
        *error = u"cannot prepare the schema in %1: %2"_s.arg(filePath, m_db.lastError().text());
        return false;
    }
    return true;
}

QSqlQuery Database::prepare(const QString &sql)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        qCCritical(lcRefServer).noquote() << "cannot prepare" << sql << ":" << query.lastError().text();
    return query;
}

bool Database::exec(const QString &sql)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql)) {
        qCCritical(lcRefServer).noquote() << "statement failed:" << sql << ":" << query.lastError().text();
        return false;
    }
    return true;
}

QString Database::meta(const QString &key) const
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT value FROM meta WHERE key = ?"_s);
    query.addBindValue(key);
    if (query.exec() && query.next())
        return query.value(0).toString();
    return {};
}

bool Database::setMeta(const QString &key, const QString &value)
{
    QSqlQuery query(m_db);
    query.prepare(u"INSERT INTO meta(key, value) VALUES(?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value"_s);
    query.addBindValue(key);
    query.addBindValue(value);
    return query.exec() || logQueryError(query, "setMeta");
}

bool Database::transaction()
{
    return m_db.transaction();
}

bool Database::commit()
{
    if (m_db.commit())
        return true;
    qCCritical(lcRefServer) << "commit failed:" << m_db.lastError().text();
    return false;
}

void Database::setBulkLoading(bool bulk)
{
    // Seeding fills empty tables in one transaction: a rollback journal in memory avoids
    // writing every page twice (WAL, then checkpoint). A crash mid-seed leaves no
    // "seed_complete" mark, which the next start reports.
    if (bulk) {
        exec(u"PRAGMA journal_mode=MEMORY"_s);
        exec(u"PRAGMA synchronous=OFF"_s);
    } else {
        exec(u"PRAGMA journal_mode=WAL"_s);
        exec(u"PRAGMA synchronous=NORMAL"_s);
    }
}

bool logQueryError(const QSqlQuery &query, const char *what)
{
    qCCritical(lcRefServer) << what << "failed:" << query.lastError().text();
    return false;
}

} // namespace earshot::refserver
