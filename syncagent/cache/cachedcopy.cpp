#include "cache/cachedcopy.h"

#include "store/writetransaction.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

Expected<QList<CachedCopy>> readCachedCopies(QSqlDatabase db, const QSet<QString> &pinnedRecordings,
                                             const QString &condition, const QVariantList &values)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(uR"(SELECT r.id, r.call_id, r.cache_file, IFNULL(r.sha256, ''), r.size_bytes,
                             IFNULL(c.started_at, 0), IFNULL(r.cached_at, 0),
                             IFNULL(r.last_accessed_at, IFNULL(r.cached_at, 0))
                      FROM recordings r LEFT JOIN calls c ON c.id = r.call_id
                      WHERE r.cache_state = 'present' AND r.cache_file IS NOT NULL)"_s
                  + (condition.isEmpty() ? QString() : u" AND ("_s + condition + u")"_s));
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        return Expected<QList<CachedCopy>>::failure(u"cannot read the cached recordings: "_s
                                                    + query.lastError().text());
    QList<CachedCopy> copies;
    while (query.next()) {
        CachedCopy copy;
        copy.recordingId = query.value(0).toString();
        copy.callId = query.value(1).toString();
        copy.cacheFile = query.value(2).toString();
        copy.sha256 = query.value(3).toString();
        copy.sizeBytes = query.value(4).toLongLong();
        copy.callStartedAtMs = query.value(5).toLongLong();
        copy.cachedAtMs = query.value(6).toLongLong();
        copy.lastUsedAtMs = query.value(7).toLongLong();
        copy.pinned = pinnedRecordings.contains(copy.recordingId);
        copies.append(copy);
    }
    return copies;
}

Expected<QList<PartialDownload>> readPartialDownloads(QSqlDatabase db, const QString &condition,
                                                      const QVariantList &values)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(uR"(SELECT r.id, r.cache_file FROM recordings r LEFT JOIN calls c ON c.id = r.call_id
                      WHERE r.cache_state = 'partial' AND r.cache_file IS NOT NULL)"_s
                  + (condition.isEmpty() ? QString() : u" AND ("_s + condition + u")"_s));
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        return Expected<QList<PartialDownload>>::failure(u"cannot read the partial downloads: "_s
                                                         + query.lastError().text());
    QList<PartialDownload> partials;
    while (query.next())
        partials.append({query.value(0).toString(), query.value(1).toString()});
    return partials;
}

Expected<bool> markRecordingUsed(QSqlDatabase db, const QString &recordingId, qint64 atMs)
{
    using Result = Expected<bool>;
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return Result::failure(u"cannot note that recording %1 was used: %2"_s.arg(recordingId, transaction.beginError()));
    QSqlQuery query(db);
    query.prepare(u"UPDATE recordings SET last_accessed_at = ? WHERE id = ?"_s);
    query.addBindValue(atMs);
    query.addBindValue(recordingId);
    if (!query.exec())
        return Result::failure(u"cannot note that recording %1 was used: %2"_s.arg(recordingId, query.lastError().text()));
    const bool found = query.numRowsAffected() > 0;
    if (Status committed = transaction.commit(); !committed)
        return Result::failure(committed.error());
    return found;
}

} // namespace earshot
