#pragma once

#include "expected.h"
#include "store/pinstore.h"

#include <QSet>
#include <QSqlDatabase>
#include <QStringList>
#include <QVariantList>

namespace earshot {

// Which recordings the pins keep offline. A pin matches through the recording's call:
// its id, lead, agent, dial list ('' is Manual Dial) or a saved filter, which matches
// exactly the calls the call list shows for it (the same SQL, CallFilterSql).
class PinnedRecordings
{
public:
    explicit PinnedRecordings(QSqlDatabase db) : m_db(std::move(db)) {}

    // A pin whose saved filter cannot be read is skipped with a warning: one broken pin
    // must not stop the others from being kept.
    Expected<QSet<QString>> recordingIds() const;

    // What one pin keeps: its recordings, and how many of them belong to calls that
    // started before oldestCallToKeepMs, which the cache policy never fetches.
    struct Reach
    {
        int recordings = 0;
        int tooOld = 0;
    };
    Expected<Reach> reach(const Pin &pin, qint64 oldestCallToKeepMs) const;

    // The pins as one condition over `calls c`, with its values; "0" for no pins.
    struct Condition
    {
        QString sql;
        QVariantList values;
    };
    static Condition conditionFor(const QList<Pin> &pins);

private:
    QSqlDatabase m_db;
};

} // namespace earshot
