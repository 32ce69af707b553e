#pragma once

#include "expected.h"

#include <QSqlDatabase>
#include <QString>

#include <future>
#include <vector>

namespace earshot {

// PRAGMA foreign_key_check over the whole store: the rows whose references point at
// nothing. A first fill writes without per-row checks and proves its references with one
// pass at its end (FirstFill).
//
// That pass only reads, so it can run on a connection and a thread of its own while the
// writer builds the indexes: on two cores it costs the fill next to nothing instead of
// 1.3-1.8 s of a million calls. The writer must hold its write transaction before the
// check starts, so that the check reads the very rows the writer is indexing.
class ReferenceCheck
{
public:
    struct DanglingRow
    {
        QString table;
        qint64 rowid = 0;
    };
    using Result = Expected<std::vector<DanglingRow>>;

    // Checks on this connection, in this thread.
    static Result run(const QSqlDatabase &db);

    // Checks the store that `writer` is connected to, on a read-only connection opened
    // by a thread of its own. Runs inline (the future is ready at once) when the store
    // has no file another connection could open, such as an in-memory database, or when
    // no thread can be started.
    static std::future<Result> start(const QSqlDatabase &writer);
};

} // namespace earshot
