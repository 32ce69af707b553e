#include "cache/localcopyremoval.h"

#include "agentlogging.h"
#include "store/writetransaction.h"
#include "sync/cachefolder.h"
#include "transfer/transferledger.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

LocalCopyRemoval::LocalCopyRemoval(QSqlDatabase db, const CacheFolder &cache, QString userId)
    : m_db(db)
    , m_cache(cache)
    , m_userId(std::move(userId))
    , m_audit(std::move(db))
{
}

Expected<int> LocalCopyRemoval::remove(const QList<CachedCopy> &copies, Reason reason)
{
    if (copies.isEmpty())
        return 0;
    const QString why = reasonText(reason);
    const auto failure = [&why](const QString &detail) {
        return Expected<int>::failure(u"cannot remove cached recordings (%1) in the local store: %2"_s.arg(why, detail));
    };
    // The ledger is the one writer of the cache columns; this one only for its removal.
    const TransferLedger ledger(m_db, m_cache.path());
    QStringList files;
    {
        WriteTransaction transaction(m_db);
        if (!transaction.isOpen())
            return failure(transaction.beginError());
        for (const CachedCopy &copy : copies) {
            auto removed = ledger.recordRemovedWithin(transaction, copy.recordingId, copy.cacheFile);
            if (!removed)
                return failure(removed.error());
            if (!*removed)
                continue;
            const AuditEventDraft event =
                localCopyDeletedEvent(m_userId, copy.callId, copy.recordingId, reason, copy.sha256);
            if (auto appended = m_audit.appendWithin(transaction, event); !appended)
                return failure(appended.error());
            files.append(copy.cacheFile);
        }
        if (Status committed = transaction.commit(); !committed)
            return failure(committed.error());
    }
    m_cache.removeFiles(files);
    qCInfo(lcCache).noquote() << u"removed %1 cached recordings (%2)"_s.arg(files.size()).arg(why);
    return static_cast<int>(files.size());
}

Expected<int> LocalCopyRemoval::forgetPartials(const QList<PartialDownload> &partials, Reason reason)
{
    if (partials.isEmpty())
        return 0;
    QStringList files;
    {
        WriteTransaction transaction(m_db);
        if (!transaction.isOpen())
            return Expected<int>::failure(transaction.beginError());
        QSqlQuery forget(m_db);
        forget.prepare(u"UPDATE recordings SET cache_state = 'absent', cache_file = NULL, cached_bytes = 0, "
                       "partial_validator = NULL WHERE id = ? AND cache_file = ? AND cache_state = 'partial'"_s);
        for (const PartialDownload &partial : partials) {
            forget.addBindValue(partial.recordingId);
            forget.addBindValue(partial.cacheFile);
            if (!forget.exec())
                return Expected<int>::failure(u"cannot forget partial downloads in the local store: "_s
                                              + forget.lastError().text());
            if (forget.numRowsAffected() == 1)
                files.append(partial.cacheFile);
        }
        if (Status committed = transaction.commit(); !committed)
            return Expected<int>::failure(committed.error());
    }
    m_cache.removeFiles(files);
    qCInfo(lcCache).noquote() << u"removed %1 partial downloads (%2)"_s.arg(files.size()).arg(reasonText(reason));
    return static_cast<int>(files.size());
}

} // namespace earshot
