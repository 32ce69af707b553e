// The server's own SQLite database (QtSql, QSQLITE, WAL). One connection, used from the
// main thread only.
#pragma once

#include <QtCore/QString>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlQuery>

namespace earshot::refserver {

class Database
{
public:
    Database();
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Opens (creating if needed) the database file and brings the schema up to date.
    bool open(const QString &filePath, QString *error);

    QSqlDatabase &connection() { return m_db; }

    // A forward-only query on this connection, prepared once; logs and returns false
    // from prepare errors, which are programming errors.
    QSqlQuery prepare(const QString &sql);

    // Runs one statement without results; logs failures.
    bool exec(const QString &sql);

    QString meta(const QString &key) const;
    bool setMeta(const QString &key, const QString &value);

    bool transaction();
    bool commit();

    // Bulk seeding trades durability for speed while the one big transaction runs.
    void setBulkLoading(bool bulk);

private:
    QString m_connectionName;
    QSqlDatabase m_db;
};

// Logs the query's last error with context; returns false so callers can `return fail(q)`.
bool logQueryError(const QSqlQuery &query, const char *what);

} // namespace earshot::refserver
