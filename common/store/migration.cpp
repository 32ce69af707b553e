#include "store/migration.h"

#include "logging.h"
#include "store/writetransaction.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

int SchemaMigrator::currentVersion(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(u"PRAGMA user_version"_s) || !query.next())
        return -1;
    return query.value(0).toInt();
}

Status SchemaMigrator::migrate(const QSqlDatabase &db, std::span<const Migration> migrations)
{
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    for (size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != static_cast<int>(i) + 1)
            return Status::failure(u"migration list is not numbered 1..N (found %1 at position %2)"_s
                                       .arg(migrations[i].version)
                                       .arg(i + 1));
    }
    if (currentVersion(db) == latest)
        return Status::ok(); // the common case: no write lock taken

    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    // Read again under the lock: another process may have migrated meanwhile.
    const int from = currentVersion(db);
    if (from < 0)
        return Status::failure(u"cannot read the schema version"_s);
    if (from > latest)
        return Status::failure(u"the store was written by a newer Earshot (schema %1, this build knows %2); "
                               "update Earshot or choose another data folder"_s.arg(from).arg(latest));
    for (const Migration &migration : migrations) {
        if (migration.version <= from)
            continue;
        for (const QString &statement : migration.statements) {
            QSqlQuery query(db);
            if (!query.exec(statement))
                return Status::failure(u"migration %1 (%2) failed: %3"_s.arg(migration.version)
                                           .arg(migration.description, query.lastError().text()));
        }
        qCInfo(lcStore) << "applied migration" << migration.version << migration.description;
    }
    QSqlQuery setVersion(db);
    if (!setVersion.exec(u"PRAGMA user_version = %1"_s.arg(latest)))
        return Status::failure(u"cannot record schema version %1: %2"_s.arg(latest).arg(setVersion.lastError().text()));
    return transaction.commit();
}

} // namespace earshot
