#include "cache/damagedcopycheck.h"

#include "agentlogging.h"
#include "cache/cachedcopy.h"
#include "cache/cacheupkeep.h"
#include "cache/copyverification.h"
#include "sync/cachefolder.h"
#include "transfer/transferengine.h"

#include <QPointer>
#include <QThreadPool>

using namespace Qt::StringLiterals;

namespace earshot {

DamagedCopyCheck::DamagedCopyCheck(QSqlDatabase db, const CacheFolder &cache, QByteArray key, CacheUpkeep &upkeep,
                                   TransferEngine &transfers, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_cache(cache)
    , m_key(std::move(key))
    , m_upkeep(upkeep)
    , m_transfers(transfers)
{
}

void DamagedCopyCheck::check(const QString &recordingId, Done done)
{
    const auto copies = readCachedCopies(m_db, {}, u"r.id = ?"_s, {recordingId});
    if (!copies)
        return done(Expected<Verdict>::failure(copies.error()));
    if (copies->isEmpty())
        return done(Expected<Verdict>::failure(u"there is no cached copy of recording %1"_s.arg(recordingId)));
    const CachedCopy copy = copies->constFirst();
    const QString path = m_cache.filePath(copy.cacheFile);
    QPointer<DamagedCopyCheck> self(this);
    QThreadPool::globalInstance()->start([self, path, key = m_key, copy, done = std::move(done)] {
        const QString problem = copyProblem(path, key, copy.sizeBytes, copy.sha256);
        QMetaObject::invokeMethod(self.data(), [self, copy, problem, done] {
            if (self)
                self->conclude(copy.recordingId, copy.cacheFile, problem, done);
        }, Qt::QueuedConnection);
    });
}

void DamagedCopyCheck::conclude(const QString &recordingId, const QString &cacheFile, const QString &problem,
                                const Done &done)
{
    if (problem.isEmpty()) {
        qCInfo(lcCache) << "the cached copy of recording" << recordingId << "was reported damaged but reads whole";
        return done(Verdict{});
    }
    qCWarning(lcCache).noquote() << u"the cached copy of recording %1 is damaged (%2); it is fetched again"_s.arg(
        recordingId, problem);
    // Read again: the quota or retention may have removed it while it was being checked.
    const auto copies = readCachedCopies(m_db, {}, u"r.id = ? AND r.cache_file = ?"_s, {recordingId, cacheFile});
    if (!copies)
        return done(Expected<Verdict>::failure(copies.error()));
    if (auto removed = m_upkeep.discardDamagedCopies(*copies); !removed)
        return done(Expected<Verdict>::failure(removed.error()));
    const qint64 size = copies->isEmpty() ? 0 : copies->constFirst().sizeBytes;
    if (size > 0) {
        if (Status queued = m_transfers.fetchRangeFirst(recordingId, 0, size); !queued)
            qCWarning(lcCache).noquote() << "the damaged recording will come with the next pass:" << queued.error();
    }
    done(Verdict{true, problem});
}

} // namespace earshot
