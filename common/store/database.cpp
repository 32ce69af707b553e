#include "store/database.h"

#include "logging.h"
#include "store/migration.h"
#include "store/schema.h"
#include "store/searchfold.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

#include <mutex>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return u"earshot-store-%1"_s.arg(counter.fetchAndAddRelaxed(1));
}

Expected<QString> pragmaValue(const QSqlDatabase &db, const QString &pragma)
{
    QSqlQuery query(db);
    if (!query.exec(u"PRAGMA "_s + pragma) || !query.next())
        return Expected<QString>::failure(query.lastError().text());
    return query.value(0).toString();
}

// SQLite counts every allocation under a global mutex unless told not to; a first fill
// makes tens of millions of them (this build of SQLite has no lookaside), and nothing
// here reads the counts. It must be said before SQLite initialises: a process whose
// SQLite is already running (a test that opened one itself) keeps the default.
void stopSqliteMemoryStatistics()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
            qCDebug(lcStore) << "SQLite was already initialised; it keeps its memory statistics";
    });
}

} // namespace

sqlite3 *nativeHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

bool isDiskFullError(const QString &storeError)
{
    return storeError.contains("disk is full"_L1, Qt::CaseInsensitive);
}

Status execute(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return Status::failure(query.lastError().text());
    return Status::ok();
}

qint64 setPageCacheKiB(const QSqlDatabase &db, qint64 kibibytes)
{
    QSqlQuery query(u"PRAGMA page_size"_s, db);
    const qint64 pageBytes = query.next() ? query.value(0).toLongLong() : 4096;
    query.finish();
    query.exec(u"PRAGMA cache_size"_s);
    const qint64 previous = query.next() ? query.value(0).toLongLong() : -2000;
    query.finish();
    // Negative sizes are KiB to SQLite, positive ones pages.
    if (!query.exec(u"PRAGMA cache_size = -%1"_s.arg(kibibytes)))
        qCWarning(lcStore) << "cannot resize the page cache:" << query.lastError().text();
    return previous < 0 ? -previous : previous * pageBytes / 1024;
}

Database::Database(QSqlDatabase connection, QString path)
    : m_connection(std::move(connection))
    , m_path(std::move(path))
{
}

Database::~Database()
{
    const QString name = m_connection.connectionName();
    m_connection.close();
    m_connection = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

int Database::schemaVersion() const
{
    return SchemaMigrator::currentVersion(m_connection);
}

Expected<std::unique_ptr<Database>> Database::open(const QString &path)
{
    using Result = Expected<std::unique_ptr<Database>>;
    stopSqliteMemoryStatistics();
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return Result::failure(u"Cannot create the folder %1 for the local store."_s.arg(info.absolutePath()));

    // The Database owns the only handle to the connection and removes it on every exit
    // path; a second local copy would outlive it and make Qt warn "still in use".
    std::unique_ptr<Database> database(
        new Database(QSqlDatabase::addDatabase(u"QSQLITE"_s, nextConnectionName()), path));
    QSqlDatabase &connection = database->m_connection;
    connection.setDatabaseName(path);
    connection.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(kBusyTimeoutMs));
    if (!connection.open())
        return Result::failure(u"Cannot open the local store %1: %2"_s.arg(path, connection.lastError().text()));

    const auto journalMode = pragmaValue(connection, u"journal_mode=WAL"_s);
    if (!journalMode)
        return Result::failure(u"The local store %1 is not a readable SQLite database: %2"_s.arg(path, journalMode.error()));
    if (journalMode->compare("wal"_L1, Qt::CaseInsensitive) != 0)
        return Result::failure(
            u"The local store %1 refused write-ahead logging (journal mode is %2); is it on a network drive?"_s.arg(
                path, *journalMode));

    // FULL: in WAL mode every commit reaches the disk, which audit writes require.
    for (const auto &pragma : {u"synchronous=FULL"_s, u"foreign_keys=ON"_s}) {
        if (Status status = execute(connection, u"PRAGMA "_s + pragma); !status)
            return Result::failure(u"Cannot configure the local store: %1"_s.arg(status.error()));
    }

    if (Status folding = registerSearchFold(connection); !folding)
        return Result::failure(u"Cannot configure the local store: %1"_s.arg(folding.error()));
    const Status migrated = SchemaMigrator::migrate(connection, schemaMigrations());
    if (!migrated)
        return Result::failure(u"Cannot prepare the local store %1: %2"_s.arg(path, migrated.error()));
    qCDebug(lcStore) << "opened" << path << "schema version" << database->schemaVersion();
    return Result(std::move(database));
}

} // namespace earshot
