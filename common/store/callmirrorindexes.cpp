#include "store/callmirrorindexes.h"

#include "logging.h"
#include "store/database.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// Indexes that a constraint implies (PRIMARY KEY, UNIQUE) have no SQL and stay: the
// mirror's upserts need them.
constexpr auto kSecondaryIndexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                   "AND tbl_name IN ('calls', 'leads', 'agents', 'dial_lists', 'recordings') "
                                   "ORDER BY name";

} // namespace

bool CallMirrorIndexes::areDeferred() const
{
    return !SyncState(m_db).value(kDeferredKey).isEmpty();
}

Status CallMirrorIndexes::defer()
{
    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    if (areDeferred())
        return Status::ok();
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
    return Status::ok();
}

Status CallMirrorIndexes::restore()
{
    QElapsedTimer timer;
    timer.start();
    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    SyncState state(m_db);
    const QString saved = state.value(kDeferredKey);
    if (saved.isEmpty())
        return Status::ok();
    const QJsonArray definitions = QJsonDocument::fromJson(saved.toUtf8()).array();
    for (const auto &definition : definitions) {
        if (Status created = execute(m_db, definition.toString()); !created)
            return Status::failure(u"cannot build an index of the mirror: "_s + created.error());
    }
    if (!state.remove(kDeferredKey))
        return Status::failure(u"cannot record that the indexes are built"_s);
    if (Status committed = transaction.commit(); !committed)
        return committed;
    qCInfo(lcStore) << "built" << definitions.size() << "indexes in" << timer.elapsed() << "ms";
    return Status::ok();
}

} // namespace earshot
