#pragma once

#include "expected.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

struct sqlite3;

namespace earshot {

// One SQLite connection to the local store, configured the same way everywhere:
// WAL (verified, not assumed), a busy timeout, foreign keys, durable commits, and the
// schema migrated to the version this build knows. Connections are per thread.
class Database
{
public:
    static constexpr int kBusyTimeoutMs = 10000;

    // Opens (creating if needed) and migrates. Fails with a message a user can act on:
    // unreadable file, not a database, a schema newer than this build, WAL refused.
    static Expected<std::unique_ptr<Database>> open(const QString &path);

    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    QSqlDatabase connection() const { return m_connection; }
    const QString &path() const { return m_path; }
    int schemaVersion() const;

private:
    Database(QSqlDatabase connection, QString path);

    QSqlDatabase m_connection;
    QString m_path;
};

// Runs one statement with no result rows; returns the driver's message on failure.
Status execute(const QSqlDatabase &db, const QString &sql);

// SQLite's page cache of this connection, in KiB; returns the previous size.
qint64 setPageCacheKiB(const QSqlDatabase &db, qint64 kibibytes);

// The SQLite connection under an open QSQLITE one, for what Qt SQL cannot do (prepared
// statements kept across transactions, SQL functions); null for anything else.
sqlite3 *nativeHandle(const QSqlDatabase &db);

// True for SQLite's SQLITE_FULL ("database or disk is full"), of which Qt SQL passes on
// only the text: the disk under the store has no room, which freeing space cures.
bool isDiskFullError(const QString &storeError);

} // namespace earshot
