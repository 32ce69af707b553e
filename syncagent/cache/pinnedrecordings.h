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
