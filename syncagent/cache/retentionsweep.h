#pragma once

#include "expected.h"

#include <QSqlDatabase>

namespace earshot {

class LocalCopyRemoval;

// Removes the copies the agent may no longer keep, pinned or not: those cached longer
// ago than the server's local_retention_days (0: no limit), and those the server says
// are no longer available (withdrawn or deleted there). Retention is the compliance
// team's rule, so it beats a user's pin.
class RetentionSweep
{
public:
    RetentionSweep(QSqlDatabase db, LocalCopyRemoval &removal) : m_db(std::move(db)), m_removal(removal) {}

    // How many copies went.
    Expected<int> run(int retentionDays, qint64 nowMs);

private:
    QSqlDatabase m_db;
    LocalCopyRemoval &m_removal;
};

} // namespace earshot
