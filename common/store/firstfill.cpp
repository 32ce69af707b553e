#include "store/firstfill.h"

#include "logging.h"
#include "store/database.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>

#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// Indexes that a constraint implies (PRIMARY KEY, UNIQUE) have no SQL and stay: the
// mirror's upserts need them. So does recordings_cached: it covers only rows with a cache
// file, which the mirror never writes, so keeping it up costs a fill nothing.
constexpr auto kSecondaryIndexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                   "AND tbl_name IN ('calls', 'leads', 'agents', 'dial_lists', 'recordings') "
                                   "AND name <> 'recordings_cached' ORDER BY name";

// Pages of WAL between checkpoints. A fill's transactions rewrite the same index pages
// over and over; copying them into the database once per 64 MiB of WAL instead of once
// per 4 MiB (SQLite's default of 1000 pages) saved about 1 s of a million-call fill, and
// bounds the WAL on disk all the same.
constexpr int kFillCheckpointPages = 16384;
// The page cache while the indexes are built: the length of one sorted run (below).
constexpr qint64 kSortRunKiB = 2048;

// Removing a call takes its recording with it (ON DELETE CASCADE), which the next round
// then finds clean; two rounds are the most a sound schema needs.
constexpr int kMaxRepairRounds = 4;

} // namespace

bool FirstFill::isUnderway() const
{
    return !SyncState(m_db).value(kDeferredKey).isEmpty();
}

Status FirstFill::setForeignKeyChecks(bool on)
{
    // A no-op inside a transaction, so it is checked, not assumed.
    if (Status set = execute(m_db, u"PRAGMA foreign_keys = %1"_s.arg(on ? u"ON"_s : u"OFF"_s)); !set)
        return set;
    QSqlQuery query(u"PRAGMA foreign_keys"_s, m_db);
    if (!query.next() || query.value(0).toBool() != on)
        return Status::failure(u"cannot turn foreign key checks %1"_s.arg(on ? u"on"_s : u"off"_s));
    return Status::ok();
}

Status FirstFill::begin()
{
    {
        WriteTransaction transaction(m_db);
        if (!transaction.isOpen())
            return Status::failure(transaction.beginError());
        if (!isUnderway()) {
            QSqlQuery query(m_db);
            if (!query.exec(QString::fromLatin1(kSecondaryIndexes)))
                return Status::failure(u"cannot list the store's indexes: "_s + query.lastError().text());
            QStringList names;
            QJsonArray definitions;
            while (query.next()) {
                names.append(query.value(0).toString());
                definitions.append(query.value(1).toString());
            }
            query.finish();
            for (const QString &name : std::as_const(names)) {
                if (Status dropped = execute(m_db, u"DROP INDEX \"%1\""_s.arg(name)); !dropped)
                    return Status::failure(u"cannot drop the index %1: %2"_s.arg(name, dropped.error()));
            }
            const QString saved = QString::fromUtf8(QJsonDocument(definitions).toJson(QJsonDocument::Compact));
            if (!SyncState(m_db).setValue(kDeferredKey, saved))
                return Status::failure(u"cannot remember the deferred indexes"_s);
            if (Status committed = transaction.commit(); !committed)
                return committed;
            qCInfo(lcStore).noquote() << "first fill: building" << names.join(u", "_s) << "at its end";
        }
    }
    {
        QSqlQuery current(u"PRAGMA wal_autocheckpoint"_s, m_db);
        if (current.next())
            m_usualCheckpointPages = current.value(0).toInt();
    }
    if (Status checkpoints = setCheckpointPages(kFillCheckpointPages); !checkpoints)
        return checkpoints;
    if (Status checksOff = setForeignKeyChecks(false); !checksOff) {
        // Nothing was written: the connection goes back to as it was.
        if (Status restored = setCheckpointPages(m_usualCheckpointPages); !restored)
            qCWarning(lcStore).noquote() << "cannot restore the checkpoint interval:" << restored.error();
        return checksOff;
    }
    return Status::ok();
}

Status FirstFill::setCheckpointPages(int pages)
{
    return execute(m_db, u"PRAGMA wal_autocheckpoint = %1"_s.arg(pages));
}

Expected<int> FirstFill::removeDanglingRows(std::vector<ReferenceCheck::DanglingRow> dangling)
{
    int removed = 0;
    for (int round = 0; round < kMaxRepairRounds; ++round) {
        if (dangling.empty())
            return removed;
        for (const auto &[table, rowid] : dangling) {
            qCWarning(lcStore).noquote() << u"first fill: %1 row %2 refers to a row that is not there; removing it"_s
                                                .arg(table)
                                                .arg(rowid);
            QSqlQuery remove(m_db);
            remove.prepare(u"DELETE FROM \"%1\" WHERE rowid = ?"_s.arg(table));
            remove.addBindValue(rowid);
            if (!remove.exec())
                return Expected<int>::failure(u"cannot remove a row of %1 that refers to nothing: %2"_s.arg(
                    table, remove.lastError().text()));
            removed += remove.numRowsAffected();
        }
        // What the removals left dangling, within this transaction.
        auto next = ReferenceCheck::run(m_db);
        if (!next)
            return Expected<int>::failure(next.error());
        dangling = std::move(*next);
    }
    return Expected<int>::failure(u"rows that refer to nothing remain after %1 rounds of removal"_s.arg(kMaxRepairRounds));
}

Status FirstFill::buildIndexes()
{
    const QJsonArray definitions = QJsonDocument::fromJson(SyncState(m_db).value(kDeferredKey).toUtf8()).array();
    // CREATE INDEX sorts in runs as large as the page cache and, given a helper thread,
    // sorts one run while it reads the next. Runs of 2 MiB on two threads built a million
    // calls' indexes in 4.1 s where one 64 MiB run on one thread took 4.9-5.5 s.
    const auto sortThreads = [this](int helpers) {
        if (Status set = execute(m_db, u"PRAGMA threads = %1"_s.arg(helpers)); !set)
            qCWarning(lcStore).noquote() << "cannot set the sorting threads for building indexes:" << set.error();
    };
    const qint64 cacheKiB = setPageCacheKiB(m_db, kSortRunKiB);
    sortThreads(1);
    const auto restore = qScopeGuard([&] {
        sortThreads(0);
        setPageCacheKiB(m_db, cacheKiB);
    });
    for (const auto &definition : definitions) {
        if (Status created = execute(m_db, definition.toString()); !created)
            return Status::failure(u"cannot build an index of the mirror: "_s + created.error());
    }
    return Status::ok();
}

Expected<int> FirstFill::finish()
{
    if (Status checksOn = setForeignKeyChecks(true); !checksOn)
        return Expected<int>::failure(checksOn.error());
    if (Status checkpoints = setCheckpointPages(m_usualCheckpointPages); !checkpoints)
        return Expected<int>::failure(checkpoints.error());
    QElapsedTimer timer;
    timer.start();
    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Expected<int>::failure(transaction.beginError());
    if (!isUnderway())
        return 0;

    // Started only now that this transaction holds the write lock: the check then reads
    // exactly the rows the indexes are built from, and its row ids stay valid, since
    // building an index moves no row.
    std::future<ReferenceCheck::Result> check = ReferenceCheck::start(m_db);
    const Status built = buildIndexes();
    const qint64 builtMs = timer.elapsed();
    ReferenceCheck::Result dangling = check.get();
    if (!dangling) {
        // The other connection could not do it (no file handle, no read slot): this one can.
        qCWarning(lcStore).noquote() << "first fill: checking references on this connection instead:"
                                     << dangling.error();
        dangling = ReferenceCheck::run(m_db);
    }
    const qint64 checkedMs = timer.elapsed();
    if (!built)
        return Expected<int>::failure(built.error());
    if (!dangling)
        return Expected<int>::failure(dangling.error());

    const Expected<int> removed = removeDanglingRows(std::move(*dangling));
    if (!removed)
        return removed;
    SyncState state(m_db);
    // Their calls come back only if the mirror starts over.
    if (*removed > 0 && (!state.remove(SyncState::kCallsCursor) || !state.remove(SyncState::kCallsCompletedAt)))
        return Expected<int>::failure(u"cannot reset the sync cursor"_s);
    if (!state.remove(kDeferredKey))
        return Expected<int>::failure(u"cannot record that the indexes are built"_s);
    if (Status committed = transaction.commit(); !committed)
        return Expected<int>::failure(committed.error());
    qCInfo(lcStore) << "first fill: built indexes in" << builtMs << "ms, then waited"
                    << checkedMs - builtMs << "ms for the references checked alongside;" << timer.elapsed()
                    << "ms in all";
    if (*removed > 0)
        qCWarning(lcStore) << "first fill:" << *removed
                           << "rows referred to calls, leads, agents or lists that were not there and were removed";
    return removed;
}

} // namespace earshot
