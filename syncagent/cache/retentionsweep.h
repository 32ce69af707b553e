#pragma once

#include "expected.h"

#include <QSqlDatabase>

namespace earshot {

class CacheFolder;
class LocalCopyRemoval;

// Removes the copies the agent may no longer keep, pinned or not: those cached longer
// ago than the server's local_retention_days (0: no limit), and those the server says
// are no longer available (withdrawn or deleted there). Retention is the compliance
// team's rule, so it beats a user's pin. Partial downloads follow the same rules: those
// of withdrawn recordings, and those of calls older than the period that no download
// has written to within it.
class RetentionSweep
{
public:
    RetentionSweep(QSqlDatabase db, const CacheFolder &cache, LocalCopyRemoval &removal)
        : m_db(std::move(db)), m_cache(cache), m_removal(removal)
    {
    }

    // How many copies went.
    Expected<int> run(int retentionDays, qint64 nowMs);

private:
    Status sweepPartials(int retentionDays, qint64 nowMs);

    QSqlDatabase m_db;
    const CacheFolder &m_cache;
    LocalCopyRemoval &m_removal;
};

} // namespace earshot
