#include "store/recordingcacheindex.h"

#include "store/writetransaction.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

Status runInTransaction(const QSqlDatabase &db, QSqlQuery &query, int *rowsAffected = nullptr)
{
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    if (!query.exec())
        return Status::failure(query.lastError().text());
    if (rowsAffected)
        *rowsAffected = query.numRowsAffected();
    return transaction.commit();
}

} // namespace

Expected<QList<DownloadCandidate>> RecordingCacheIndex::dueDownloads(qint64 nowMs, int limit) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(uR"(SELECT r.id, r.call_id, r.format, r.size_bytes, r.sha256, r.attempts
                      FROM recordings r JOIN calls c ON c.id = r.call_id
                      WHERE r.status = 'available' AND r.cache_state <> 'present'
                        AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= ?)
                      ORDER BY c.started_at DESC, c.id DESC LIMIT ?)"_s);
    query.addBindValue(nowMs);
    query.addBindValue(limit);
    if (!query.exec())
        return Expected<QList<DownloadCandidate>>::failure(query.lastError().text());
    QList<DownloadCandidate> result;
    while (query.next()) {
        result.append({query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                       query.value(3).toLongLong(), query.value(4).toString(), query.value(5).toInt()});
    }
    return result;
}

Expected<bool> RecordingCacheIndex::markPresent(const DownloadCandidate &candidate, const QString &cacheFile,
                                                qint64 bytes)
{
    QSqlQuery query(m_db);
    query.prepare(uR"(UPDATE recordings SET cache_state = 'present', cache_file = ?, cached_bytes = ?,
                          attempts = 0, next_attempt_at = NULL, last_error = NULL
                      WHERE id = ? AND size_bytes = ? AND IFNULL(sha256, '') = IFNULL(?, ''))"_s);
    query.addBindValue(cacheFile);
    query.addBindValue(bytes);
    query.addBindValue(candidate.recordingId);
    query.addBindValue(candidate.sizeBytes);
    query.addBindValue(candidate.sha256);
    int updated = 0;
    if (Status status = runInTransaction(m_db, query, &updated); !status)
        return Expected<bool>::failure(status.error());
    return updated == 1;
}

Status RecordingCacheIndex::markAttemptFailed(const QString &recordingId, const QString &error,
                                              qint64 nextAttemptAtMs)
{
    QSqlQuery query(m_db);
    query.prepare(u"UPDATE recordings SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?"_s);
    query.addBindValue(error);
    query.addBindValue(nextAttemptAtMs);
    query.addBindValue(recordingId);
    return runInTransaction(m_db, query);
}

Status RecordingCacheIndex::markServerStatus(const QString &recordingId, RecordingStatus status, const QString &reason)
{
    QSqlQuery query(m_db);
    query.prepare(u"UPDATE recordings SET status = ?, last_error = ? WHERE id = ?"_s);
    query.addBindValue(toString(status));
    query.addBindValue(reason.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(reason));
    query.addBindValue(recordingId);
    return runInTransaction(m_db, query);
}

QStringList RecordingCacheIndex::referencedCacheFiles() const
{
    QStringList files;
    QSqlQuery query(u"SELECT cache_file FROM recordings WHERE cache_file IS NOT NULL"_s, m_db);
    while (query.next())
        files.append(query.value(0).toString());
    return files;
}

} // namespace earshot
