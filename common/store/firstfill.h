#pragma once

#include "expected.h"
#include "store/referencecheck.h"

#include <QSqlDatabase>

namespace earshot {

// The first fill of an empty store: a million calls written as fast as SQLite allows,
// and the store exactly as sound at its end as if every row had been written one by one.
//
// - The secondary indexes of the mirrored tables are dropped and built at the end.
//   Inserting a million calls into indexes keyed in random order costs several times the
//   inserts themselves; one sort per index at the end is far cheaper.
// - The writer's connection checks no foreign key per row (three lookups a call, one a
//   recording: a third of the fill's time). The mirror writes every lead, agent and list
//   before the calls that name them, in the same transaction; finish() proves it with
//   one pass of PRAGMA foreign_key_check over the whole store, and a row that fails it
//   is removed, never kept, and the mirror starts over to fetch its calls again.
// - Checkpoints come every 64 MiB of WAL instead of every 4 MiB.
//
// The dropped index definitions are saved in sync_state in the transaction that drops
// them, so a crash mid-fill leaves a store that says what it lacks: the next run carries
// on in the same mode and finishes it. Queries work meanwhile, slower.
class FirstFill
{
public:
    static constexpr auto kDeferredKey = "deferred_indexes"; // sync_state: JSON array of CREATE INDEX

    explicit FirstFill(QSqlDatabase db) : m_db(std::move(db)) {}

    bool isUnderway() const;
    // Drops the indexes (one transaction) unless a fill is already underway, then turns
    // per-row foreign key checks off and checkpoints down on this connection. Outside any
    // transaction.
    Status begin();
    // Turns the checks back on and the checkpoints back to usual, then in one transaction:
    // builds the indexes while another thread checks every reference (ReferenceCheck),
    // then removes rows that point at nothing (and the sync cursor, so that the mirror
    // starts over and fetches them again). Returns
    // how many rows it removed: 0 unless the writer has a defect. Nothing to do when no
    // fill is underway.
    Expected<int> finish();

private:
    Status setForeignKeyChecks(bool on);
    Status setCheckpointPages(int pages);
    Expected<int> removeDanglingRows(std::vector<ReferenceCheck::DanglingRow> dangling);
    Status buildIndexes();

    QSqlDatabase m_db;
    int m_usualCheckpointPages = 1000; // SQLite's default, until begin() reads it
};

} // namespace earshot
