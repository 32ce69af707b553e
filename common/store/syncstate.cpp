#include "store/syncstate.h"

#include "logging.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

QString SyncState::value(const char *key) const
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT value FROM sync_state WHERE key = ?"_s);
    query.addBindValue(QString::fromLatin1(key));
    if (!query.exec()) {
        qCWarning(lcStore) << "cannot read sync state" << key << query.lastError().text();
        return {};
    }
    return query.next() ? query.value(0).toString() : QString();
}

bool SyncState::setValue(const char *key, const QString &value)
{
    QSqlQuery query(m_db);
    query.prepare(u"INSERT INTO sync_state(key, value) VALUES (?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value"_s);
    query.addBindValue(QString::fromLatin1(key));
    query.addBindValue(value);
    return query.exec();
}

bool SyncState::remove(const char *key)
{
    QSqlQuery query(m_db);
    query.prepare(u"DELETE FROM sync_state WHERE key = ?"_s);
    query.addBindValue(QString::fromLatin1(key));
    return query.exec();
}

std::optional<QDateTime> SyncState::callsCompletedAt() const
{
    bool ok = false;
    const qint64 ms = value(kCallsCompletedAt).toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

} // namespace earshot
