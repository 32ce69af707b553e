// Schema migrations: from an empty file and from every earlier version to the latest,
// all-or-nothing, and never a downgrade. Also the write-lock discipline they rely on.
#include "store/database.h"
#include "store/firstfill.h"
#include "store/migration.h"
#include "store/schema.h"
#include "store/searchfold.h"
#include "store/writetransaction.h"

#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace earshot;

namespace {

// A bare connection, configured by the test rather than by Database::open.
class RawConnection
{
public:
    explicit RawConnection(const QString &path, int busyTimeoutMs = 10000)
        : m_name(u"raw-%1"_s.arg(++s_counter))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(busyTimeoutMs));
        db.open();
        // As Database::open does: migration 4 calls it.
        QVERIFY(registerSearchFold(db));
    }
    ~RawConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

    // The indexes made by CREATE INDEX (not by constraints), by name, comma-separated.
    QString indexNames() const
    {
        return scalar(u"SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' "
                      "AND sql IS NOT NULL ORDER BY name)"_s)
            .toString();
    }

    QVariant scalar(const QString &sql) const
    {
        QSqlQuery query(db());
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }

private:
    static inline int s_counter = 0;
    QString m_name;
};

QStringList tableNames(const QSqlDatabase &db)
{
    QStringList names;
    QSqlQuery query(u"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"_s, db);
    while (query.next())
        names << query.value(0).toString();
    return names;
}

// Rows that every schema version from 1 on can hold, written with plain SQL as an
// older build would have written them.
void insertVersion1Rows(const QSqlDatabase &db)
{
    const QStringList statements = {
        u"INSERT INTO leads(id, name, phone) VALUES ('lead-1', 'Dana Whitfield', '+1 555 0100')"_s,
        u"INSERT INTO leads(id, name, phone) VALUES ('lead-2', 'JOSÉ MÜLLER', '+1 555 0101')"_s,
        u"INSERT INTO agents VALUES ('agent-1', 'Priya Raman')"_s,
        u"INSERT INTO dial_lists VALUES ('list-1', 'Spring Renewals')"_s,
        u"INSERT INTO calls VALUES ('call-1', 'lead-1', 'agent-1', 'list-1', 'outbound', 'connected', "
        "1763647387000, 187, '2026-11-20T14:10:00Z')"_s,
        u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, sha256, channels, status, "
        "cache_state, cache_file, cached_bytes) VALUES ('rec-1', 'call-1', 'wav', 1000, 12.5, NULL, 1, 'available', "
        "'present', 'f.wav', 1000)"_s,
        u"INSERT INTO sync_state VALUES ('calls_cursor', 'cursor-7')"_s,
        // One the agent gave up on after failed downloads (it would try again), one the
        // server failed to produce (never tried again).
        u"INSERT INTO calls VALUES ('call-2', 'lead-1', 'agent-1', NULL, 'inbound', 'voicemail', "
        "1763647388000, 40, '2026-11-20T14:11:00Z')"_s,
        u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, sha256, channels, status, "
        "attempts, next_attempt_at, last_error) VALUES ('rec-2', 'call-2', 'mp3', 500, 40, NULL, 1, 'failed', 5, "
        "1763690588000, 'the connection broke off')"_s,
        u"INSERT INTO calls VALUES ('call-3', 'lead-2', 'agent-1', NULL, 'inbound', 'voicemail', "
        "1763647389000, 40, '2026-11-20T14:12:00Z')"_s,
        u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, sha256, channels, status, "
        "last_error) VALUES ('rec-3', 'call-3', 'mp3', 500, 40, NULL, 1, 'failed', "
        "'the server could not produce this recording')"_s,
    };
    for (const QString &statement : statements) {
        QSqlQuery query(db);
        QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
    }
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void emptyFileBecomesLatestSchema()
    {
        const QString path = m_dir.filePath(u"empty.sqlite"_s);
        auto database = Database::open(path);
        QVERIFY2(database, qPrintable(database.error()));
        QCOMPARE((*database)->schemaVersion(), latestSchemaVersion());
        QCOMPARE(tableNames((*database)->connection()),
                 QStringList({u"agents"_s, u"audit_events"_s, u"calls"_s, u"dial_lists"_s, u"leads"_s, u"outcomes"_s,
                              u"pins"_s, u"recordings"_s, u"sync_state"_s}));
        QSqlQuery pragma(u"PRAGMA journal_mode"_s, (*database)->connection());
        QVERIFY(pragma.next());
        QCOMPARE(pragma.value(0).toString(), u"wal"_s);
        QSqlQuery foreignKeys(u"PRAGMA foreign_keys"_s, (*database)->connection());
        QVERIFY(foreignKeys.next());
        QCOMPARE(foreignKeys.value(0).toInt(), 1);
    }

    void everyEarlierVersionMigratesAndKeepsItsRows_data()
    {
        QTest::addColumn<int>("fromVersion");
        for (int version = 1; version < latestSchemaVersion(); ++version)
            QTest::addRow("from v%d", version) << version;
    }

    void everyEarlierVersionMigratesAndKeepsItsRows()
    {
        QFETCH(int, fromVersion);
        const QString path = m_dir.filePath(u"v%1.sqlite"_s.arg(fromVersion));
        {
            RawConnection old(path);
            const Status status = SchemaMigrator::migrate(old.db(), schemaMigrations().first(size_t(fromVersion)));
            QVERIFY2(status, qPrintable(status.error()));
            QCOMPARE(SchemaMigrator::currentVersion(old.db()), fromVersion);
            insertVersion1Rows(old.db());
        }
        auto database = Database::open(path);
        QVERIFY2(database, qPrintable(database.error()));
        QCOMPARE((*database)->schemaVersion(), latestSchemaVersion());
        RawConnection check(path);
        QCOMPARE(check.scalar(u"SELECT outcome FROM calls WHERE id = 'call-1'"_s).toString(), u"connected"_s);
        // Since version 7 the filter bar's outcomes have a table, filled from the calls there
        // by the upgrade (later, the mirror fills it as it writes calls).
        if (fromVersion < 7)
            QCOMPARE(check.scalar(u"SELECT group_concat(name) FROM (SELECT name FROM outcomes ORDER BY name)"_s).toString(),
                     u"connected,voicemail"_s);
        QVERIFY(!check.indexNames().contains(u"calls_by_outcome"_s));
        QCOMPARE(check.scalar(u"SELECT cache_state FROM recordings WHERE id = 'rec-1'"_s).toString(), u"present"_s);
        QCOMPARE(check.scalar(u"SELECT value FROM sync_state WHERE key = 'calls_cursor'"_s).toString(), u"cursor-7"_s);
        QVERIFY(tableNames(check.db()).contains(u"audit_events"_s));
        QVERIFY(tableNames(check.db()).contains(u"pins"_s));
        // A copy cached before retention existed counts as cached at migration time.
        if (fromVersion < 3)
            QVERIFY(check.scalar(u"SELECT cached_at FROM recordings WHERE id = 'rec-1'"_s).toLongLong() > 0);
        // Lead names written before version 4 are searchable in every script too.
        if (fromVersion < 4)
            QCOMPARE(check.scalar(u"SELECT name_folded FROM leads WHERE id = 'lead-2'"_s).toString(), u"josé müller"_s);
        // The recordings table copied in version 5 keeps its checks, and since version 6 one
        // index, of the cached copies.
        QCOMPARE(check.scalar(u"SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE "
                              "tbl_name = 'recordings' AND sql IS NOT NULL AND type = 'index' ORDER BY name)"_s)
                     .toString(),
                 u"recordings_cached"_s);
        // Since version 8 status is the server's word only: a download the agent gave up on
        // is available on the server, with the time it gave up and its next try kept.
        if (fromVersion < 8) {
            QCOMPARE(check.scalar(u"SELECT status FROM recordings WHERE id = 'rec-2'"_s).toString(), u"available"_s);
            QCOMPARE(check.scalar(u"SELECT gave_up_at FROM recordings WHERE id = 'rec-2'"_s).toLongLong(),
                     1763690588000 - 12 * 3600'000LL);
            QCOMPARE(check.scalar(u"SELECT next_attempt_at FROM recordings WHERE id = 'rec-2'"_s).toLongLong(),
                     1763690588000);
            QCOMPARE(check.scalar(u"SELECT status FROM recordings WHERE id = 'rec-3'"_s).toString(), u"failed"_s);
            QVERIFY(check.scalar(u"SELECT gave_up_at FROM recordings WHERE id = 'rec-3'"_s).isNull());
        }
        // Since version 9 a partial download keeps the version of the file it holds; those
        // from before know none and resume as they did.
        QCOMPARE(check.scalar(u"SELECT count(*) FROM pragma_table_info('recordings') WHERE name = 'partial_validator'"_s)
                     .toInt(),
                 1);
        QVERIFY(check.scalar(u"SELECT partial_validator FROM recordings WHERE id = 'rec-1'"_s).isNull());
        QSqlQuery bogus(check.db());
        QVERIFY(!bogus.exec(u"UPDATE recordings SET status = 'bogus' WHERE id = 'rec-1'"_s));
        QVERIFY(!bogus.exec(u"UPDATE recordings SET cache_state = 'bogus' WHERE id = 'rec-1'"_s));
        QCOMPARE(check.scalar(u"PRAGMA integrity_check"_s).toString(), u"ok"_s);
    }

    // A first fill cut short under an earlier version ends with the indexes this version
    // wants. Under version 4 it checked its references row by row, so the upgrade builds its
    // indexes and it carries on with them. Under version 5 it saved the recordings' old
    // indexes to build at its end, and under 5 and 6 the outcome index: it carries on, and
    // builds the others but not those.
    void aFirstFillCutShortBeforeTheUpgradeEndsWithTheIndexesWanted_data()
    {
        QTest::addColumn<int>("fromVersion");
        QTest::addColumn<bool>("underwayAfterUpgrade");
        QTest::addColumn<QString>("keptWhileDeferred");
        QTest::addRow("from v4") << 4 << false << u"audit_events_to_upload"_s;
        QTest::addRow("from v5") << 5 << true << u"audit_events_to_upload"_s;
        QTest::addRow("from v6") << 6 << true << u"audit_events_to_upload,recordings_cached"_s;
    }

    void aFirstFillCutShortBeforeTheUpgradeEndsWithTheIndexesWanted()
    {
        QFETCH(int, fromVersion);
        QFETCH(bool, underwayAfterUpgrade);
        QFETCH(QString, keptWhileDeferred);
        const QString path = m_dir.filePath(u"fill-across-v%1.sqlite"_s.arg(fromVersion));
        {
            RawConnection old(path);
            QVERIFY(SchemaMigrator::migrate(old.db(), schemaMigrations().first(size_t(fromVersion))));
            insertVersion1Rows(old.db());
            QVERIFY(FirstFill(old.db()).begin());
            QCOMPARE(old.indexNames(), keptWhileDeferred);
        }
        auto database = Database::open(path);
        QVERIFY2(database, qPrintable(database.error()));
        FirstFill fill((*database)->connection());
        QCOMPARE(fill.isUnderway(), underwayAfterUpgrade);
        const Expected<int> finished = fill.finish();
        QVERIFY2(finished, qPrintable(finished.error()));
        QCOMPARE(*finished, 0);
        RawConnection check(path);
        QCOMPARE(check.indexNames(),
                 u"audit_events_to_upload,calls_by_lead,calls_by_started,recordings_cached"_s);
        QCOMPARE(check.scalar(u"SELECT group_concat(name) FROM (SELECT name FROM outcomes ORDER BY name)"_s).toString(),
                     u"connected,voicemail"_s);
        QCOMPARE(check.scalar(u"PRAGMA integrity_check"_s).toString(), u"ok"_s);
    }

    void aFailingMigrationRollsBackTheWholeRun()
    {
        const QString path = m_dir.filePath(u"failing.sqlite"_s);
        const std::vector<Migration> migrations = {
            {1, u"good"_s, {u"CREATE TABLE first_table (x INTEGER)"_s}},
            {2, u"bad"_s, {u"CREATE TABLE second_table (y INTEGER)"_s, u"CREATE TABLE oops ("_s}},
        };
        RawConnection connection(path);
        const Status status = SchemaMigrator::migrate(connection.db(), migrations);
        QVERIFY(!status);
        QVERIFY2(status.error().contains(u"migration 2"_s), qPrintable(status.error()));
        QCOMPARE(SchemaMigrator::currentVersion(connection.db()), 0);
        QVERIFY(tableNames(connection.db()).isEmpty()); // even migration 1's table is gone
    }

    void migrationsMustBeNumberedWithoutGaps()
    {
        RawConnection connection(m_dir.filePath(u"gap.sqlite"_s));
        const std::vector<Migration> migrations = {{1, u"a"_s, {u"CREATE TABLE a (x)"_s}},
                                                   {3, u"c"_s, {u"CREATE TABLE c (x)"_s}}};
        QVERIFY(!SchemaMigrator::migrate(connection.db(), migrations));
        QVERIFY(tableNames(connection.db()).isEmpty());
    }

    void aStoreFromANewerBuildIsRefused()
    {
        const QString path = m_dir.filePath(u"newer.sqlite"_s);
        {
            RawConnection future(path);
            QSqlQuery(u"PRAGMA user_version = %1"_s.arg(latestSchemaVersion() + 5), future.db());
        }
        auto database = Database::open(path);
        QVERIFY(!database);
        QVERIFY2(database.error().contains(u"newer Earshot"_s), qPrintable(database.error()));
        RawConnection check(path);
        QCOMPARE(SchemaMigrator::currentVersion(check.db()), latestSchemaVersion() + 5); // untouched
    }

    void aCorruptFileIsAClearError()
    {
        const QString path = m_dir.filePath(u"corrupt.sqlite"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x'));
        file.close();
        auto database = Database::open(path);
        QVERIFY(!database);
        QVERIFY2(database.error().contains(path), qPrintable(database.error()));
    }

    void twoProcessesOpeningAtOnceBothSucceed()
    {
        const QString path = m_dir.filePath(u"shared.sqlite"_s);
        auto first = Database::open(path);
        auto second = Database::open(path);
        QVERIFY2(first && second, qPrintable(first.error() + second.error()));
        QCOMPARE((*second)->schemaVersion(), latestSchemaVersion());
    }

    void writeTransactionTakesTheLockAtBegin()
    {
        const QString path = m_dir.filePath(u"lock.sqlite"_s);
        auto database = Database::open(path);
        QVERIFY(database);
        RawConnection impatient(path, 100);
        WriteTransaction holder((*database)->connection());
        QVERIFY(holder.isOpen());
        // A deferred BEGIN would succeed here and fail later, halfway through its writes.
        WriteTransaction second(impatient.db());
        QVERIFY(!second.isOpen());
        QVERIFY2(second.beginError().contains(u"busy"_s) || second.beginError().contains(u"locked"_s),
                 qPrintable(second.beginError()));
    }

    void writeTransactionRollsBackUnlessCommitted()
    {
        const QString path = m_dir.filePath(u"raii.sqlite"_s);
        auto database = Database::open(path);
        QVERIFY(database);
        const QSqlDatabase db = (*database)->connection();
        {
            WriteTransaction transaction(db);
            QVERIFY(execute(db, u"INSERT INTO agents VALUES ('a1', 'Never Committed')"_s));
        }
        {
            WriteTransaction transaction(db);
            QVERIFY(execute(db, u"INSERT INTO agents VALUES ('a2', 'Committed')"_s));
            QVERIFY(transaction.commit());
        }
        RawConnection check(path);
        QCOMPARE(check.scalar(u"SELECT group_concat(id) FROM agents"_s).toString(), u"a2"_s);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
