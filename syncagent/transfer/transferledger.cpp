#include "transfer/transferledger.h"

#include "durablefile.h"
#include "store/database.h"
#include "store/writetransaction.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// What readCandidate() reads, but the call's start, which each query gets its own way.
const QString kColumns = u"r.id, r.call_id, r.format, r.size_bytes, IFNULL(r.sha256, ''), r.attempts, r.status, "
                         "r.cache_state, IFNULL(r.cache_file, ''), IFNULL(r.partial_validator, ''), "_s;

// A recording to fetch now: available and not backing off (nor given up on until later),
// or pending with its next poll come. What the server failed to produce is never due.
// Binds the time twice.
const QString kIsDue = uR"(r.cache_state <> 'present'
    AND ((r.status = 'available' AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= ?))
      OR (r.status = 'pending' AND r.next_attempt_at IS NOT NULL AND r.next_attempt_at <= ?)))"_s;

TransferCandidate readCandidate(const QSqlQuery &query)
{
    TransferCandidate candidate;
    candidate.recordingId = query.value(0).toString();
    candidate.callId = query.value(1).toString();
    candidate.format = query.value(2).toString();
    candidate.sizeBytes = query.value(3).toLongLong();
    candidate.sha256 = query.value(4).toString();
    candidate.attempts = query.value(5).toInt();
    candidate.status = recordingStatusFromString(query.value(6).toString()).value_or(RecordingStatus::Available);
    candidate.cacheState = cacheStateFromString(query.value(7).toString()).value_or(CacheState::Absent);
    candidate.cacheFile = query.value(8).toString();
    candidate.partialValidator = query.value(9).toString().toLatin1();
    candidate.callStartedAtMs = query.value(10).toLongLong();
    return candidate;
}

Expected<QList<TransferCandidate>> readCandidates(QSqlQuery &query)
{
    if (!query.exec())
        return Expected<QList<TransferCandidate>>::failure(query.lastError().text());
    QList<TransferCandidate> result;
    while (query.next())
        result.append(readCandidate(query));
    return result;
}

QVariant nullableText(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

} // namespace

TransferLedger::TransferLedger(QSqlDatabase db, QString cacheDirectory)
    : m_db(std::move(db))
    , m_cacheDirectory(std::move(cacheDirectory))
{
}

Status TransferLedger::run(QSqlQuery &query) const
{
    if (!query.exec())
        return Status::failure(query.lastError().text());
    return Status::ok();
}

Expected<QList<TransferCandidate>> TransferLedger::due(qint64 nowMs, int limit) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // Calls newest first, as the list shows them, stopping at the limit: never all the
    // recordings that are due, sorted (CROSS JOIN keeps SQLite to that order).
    query.prepare(u"SELECT "_s + kColumns + u"c.started_at FROM calls c CROSS JOIN recordings r ON r.call_id = c.id WHERE "_s
                  + kIsDue + u" ORDER BY c.started_at DESC, c.id DESC LIMIT ?"_s);
    query.addBindValue(nowMs);
    query.addBindValue(nowMs);
    query.addBindValue(limit);
    return readCandidates(query);
}

Expected<QList<TransferCandidate>> TransferLedger::dueAmong(qint64 nowMs, const QStringList &recordingIds) const
{
    constexpr qsizetype kBatch = 500;
    QList<TransferCandidate> result;
    for (qsizetype start = 0; start < recordingIds.size(); start += kBatch) {
        const QStringList batch = recordingIds.mid(start, kBatch);
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        query.prepare(u"SELECT "_s + kColumns + u"c.started_at FROM recordings r JOIN calls c ON c.id = r.call_id WHERE "_s
                      + kIsDue + u" AND r.id IN ("_s + QStringList(batch.size(), u"?"_s).join(u',') + u")"_s);
        query.addBindValue(nowMs);
        query.addBindValue(nowMs);
        for (const QString &id : batch)
            query.addBindValue(id);
        auto found = readCandidates(query);
        if (!found)
            return found;
        result.append(std::move(*found));
    }
    return result;
}

Expected<std::optional<TransferCandidate>> TransferLedger::candidate(const QString &recordingId) const
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT "_s + kColumns
                  + u"IFNULL((SELECT started_at FROM calls WHERE calls.id = r.call_id), 0) FROM recordings r WHERE r.id = ?"_s);
    query.addBindValue(recordingId);
    if (!query.exec())
        return Expected<std::optional<TransferCandidate>>::failure(query.lastError().text());
    if (!query.next())
        return std::optional<TransferCandidate>();
    return std::optional<TransferCandidate>(readCandidate(query));
}

QStringList TransferLedger::protectedCacheFiles() const
{
    QStringList files;
    QSqlQuery query(u"SELECT cache_file, cache_state FROM recordings WHERE cache_file IS NOT NULL"_s, m_db);
    while (query.next()) {
        const QString name = query.value(0).toString();
        files.append(name);
        if (query.value(1).toString() == "partial"_L1 && name.endsWith(".part"_L1))
            files.append(name.chopped(5));
    }
    return files;
}

Expected<bool> TransferLedger::recordRemovedWithin(const WriteTransaction &transaction, const QString &recordingId,
                                                   const QString &fileName) const
{
    if (!transaction.isOpen())
        return Expected<bool>::failure(u"a cached copy can only be removed inside a transaction"_s);
    QSqlQuery query(m_db);
    // Back to absent, so that the recording is fetched again if the policy wants it later.
    query.prepare(uR"(UPDATE recordings SET cache_state = 'absent', cache_file = NULL, cached_bytes = 0,
                          cached_at = NULL, last_accessed_at = NULL
                      WHERE id = ? AND cache_state = 'present' AND cache_file = ?)"_s);
    query.addBindValue(recordingId);
    query.addBindValue(fileName);
    if (!query.exec())
        return Expected<bool>::failure(query.lastError().text());
    return query.numRowsAffected() == 1;
}

void TransferLedger::recordPresent(const TransferCandidate &recording, const QString &fileName)
{
    m_needsFolderSync = true;
    m_pending.push_back([this, recording, fileName](Flushed &flushed) {
        QSqlQuery query(m_db);
        // cached_at starts the local retention period of the copy.
        query.prepare(uR"(UPDATE recordings SET cache_state = 'present', cache_file = ?, cached_bytes = ?,
                              cached_at = ?, status = 'available', attempts = 0, next_attempt_at = NULL,
                              last_error = NULL, gave_up_at = NULL, partial_validator = NULL
                          WHERE id = ? AND size_bytes = ? AND IFNULL(sha256, '') = IFNULL(?, ''))"_s);
        query.addBindValue(fileName);
        query.addBindValue(recording.sizeBytes);
        query.addBindValue(QDateTime::currentMSecsSinceEpoch());
        query.addBindValue(recording.recordingId);
        query.addBindValue(recording.sizeBytes);
        query.addBindValue(recording.sha256);
        if (Status ran = run(query); !ran)
            return ran;
        if (query.numRowsAffected() != 1) {
            flushed.supersededDownloads.append(recording.recordingId);
            flushed.orphanedFiles.append(fileName);
        }
        return Status::ok();
    });
}

void TransferLedger::recordPartial(const TransferCandidate &recording, const QString &partialName, qint64 cachedBytes,
                                   const QByteArray &validator)
{
    m_pending.push_back([this, recording, partialName, cachedBytes, validator](Flushed &flushed) {
        QSqlQuery query(m_db);
        query.prepare(uR"(UPDATE recordings SET cache_state = 'partial', cache_file = ?, cached_bytes = ?,
                                                partial_validator = ?
                          WHERE id = ? AND size_bytes = ? AND IFNULL(sha256, '') = IFNULL(?, '') AND cache_state <> 'present')"_s);
        query.addBindValue(partialName);
        query.addBindValue(cachedBytes);
        query.addBindValue(nullableText(QString::fromLatin1(validator)));
        query.addBindValue(recording.recordingId);
        query.addBindValue(recording.sizeBytes);
        query.addBindValue(recording.sha256);
        if (Status ran = run(query); !ran)
            return ran;
        if (query.numRowsAffected() != 1)
            flushed.supersededPartials.append(recording.recordingId);
        return Status::ok();
    });
}

void TransferLedger::forgetPartial(const QString &recordingId, const QString &partialName)
{
    m_pending.push_back([this, recordingId, partialName](Flushed &) {
        QSqlQuery query(m_db);
        query.prepare(u"UPDATE recordings SET cache_state = 'absent', cache_file = NULL, cached_bytes = 0, "
                      "partial_validator = NULL WHERE id = ? AND cache_file = ? AND cache_state = 'partial'"_s);
        query.addBindValue(recordingId);
        query.addBindValue(partialName);
        return run(query);
    });
}

void TransferLedger::recordAttemptFailure(const QString &recordingId, const QString &error, qint64 nextAttemptAtMs,
                                          bool giveUp)
{
    m_pending.push_back([this, recordingId, error, nextAttemptAtMs, giveUp](Flushed &) {
        QSqlQuery query(m_db);
        // Giving up is the agent's own state: status stays what the server said.
        query.prepare(u"UPDATE recordings SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
                      "gave_up_at = CASE WHEN ? THEN ? ELSE gave_up_at END WHERE id = ?"_s);
        query.addBindValue(error);
        query.addBindValue(nextAttemptAtMs);
        query.addBindValue(giveUp ? 1 : 0);
        query.addBindValue(QDateTime::currentMSecsSinceEpoch());
        query.addBindValue(recordingId);
        return run(query);
    });
}

void TransferLedger::recordServerStatus(const QString &recordingId, RecordingStatus status, const QString &reason,
                                        std::optional<qint64> nextAttemptAtMs)
{
    m_pending.push_back([this, recordingId, status, reason, nextAttemptAtMs](Flushed &) {
        QSqlQuery query(m_db);
        // Polls of a still-pending recording count up, so that they space out.
        query.prepare(u"UPDATE recordings SET attempts = CASE WHEN status = ? THEN attempts + 1 ELSE 0 END, "
                      "status = ?, last_error = ?, next_attempt_at = ?, gave_up_at = NULL WHERE id = ?"_s);
        query.addBindValue(toString(status));
        query.addBindValue(toString(status));
        query.addBindValue(nullableText(reason));
        query.addBindValue(nextAttemptAtMs ? QVariant(*nextAttemptAtMs) : QVariant(QMetaType::fromType<qint64>()));
        query.addBindValue(recordingId);
        return run(query);
    });
}

TransferLedger::Flushed TransferLedger::flush()
{
    Flushed flushed;
    if (m_pending.empty())
        return flushed;
    // The renames of finished files must be durable before a row may say "present".
    if (m_needsFolderSync) {
        if (Status synced = syncDirectory(m_cacheDirectory); !synced) {
            flushed.status = synced;
            return flushed;
        }
    }
    WriteTransaction transaction(m_db);
    Status status = transaction.isOpen() ? Status::ok() : Status::failure(transaction.beginError());
    for (auto it = m_pending.begin(); status && it != m_pending.end(); ++it)
        status = (*it)(flushed);
    if (status)
        status = transaction.commit();
    if (!status) {
        flushed = Flushed();
        flushed.status = Status::failure(u"cannot record downloads in the local store: "_s + status.error());
        flushed.diskFull = isDiskFullError(status.error());
        return flushed;
    }
    m_pending.clear();
    m_needsFolderSync = false;
    for (const QString &name : std::as_const(flushed.orphanedFiles))
        QFile::remove(QDir(m_cacheDirectory).filePath(name));
    return flushed;
}

} // namespace earshot
