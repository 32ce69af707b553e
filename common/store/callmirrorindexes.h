#pragma once

#include "expected.h"

#include <QSqlDatabase>

namespace earshot {

// The secondary indexes of the mirrored tables, dropped for the first fill of an empty
// store and built again at its end. Inserting a million calls into six indexes keyed in
// random order costs several times the inserts themselves; one sort per index at the end
// is far cheaper. The dropped definitions are saved in sync_state in the transaction that
// drops them, so a crash mid-fill leaves a store that says what it lacks: the next run
// carries on without them and builds them when it ends. Queries work meanwhile, slower.
class CallMirrorIndexes
{
public:
    static constexpr auto kDeferredKey = "deferred_indexes"; // sync_state: JSON array of CREATE INDEX

    explicit CallMirrorIndexes(QSqlDatabase db) : m_db(std::move(db)) {}

    bool areDeferred() const;
    // Drops them (one transaction) unless they are already deferred.
    Status defer();
    // Builds what defer() dropped (one transaction); nothing to do when none are deferred.
    Status restore();

private:
    QSqlDatabase m_db;
};

} // namespace earshot
