#include "cache/cachereconciler.h"

#include "agentlogging.h"
#include "cache/cacheformat.h"
#include "cache/cachedcopy.h"
#include "cache/localcopyremoval.h"
#include "sync/cachefolder.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace earshot {

QString CacheReconciler::headerProblem(const QString &path, qint64 sizeBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return u"cannot be opened: "_s + file.errorString();
    const auto header = cacheformat::Header::decode(file.read(cacheformat::kHeaderSize));
    if (!header)
        return header.error();
    if (header->plaintextSize != static_cast<quint64>(sizeBytes))
        return u"holds %1 bytes, the recording has %2"_s.arg(header->plaintextSize).arg(sizeBytes);
    if (file.size() != header->encryptedFileSize())
        return u"is %1 bytes long, a complete copy is %2"_s.arg(file.size()).arg(header->encryptedFileSize());
    return {};
}

Expected<CacheReconciler::Report> CacheReconciler::run(const std::function<QStringList()> &referencedFiles)
{
    using Result = Expected<Report>;
    const auto copies = readCachedCopies(m_db, {});
    if (!copies)
        return Result::failure(copies.error());
    QList<CachedCopy> missing, damaged;
    for (const CachedCopy &copy : *copies) {
        const QString path = m_cache.filePath(copy.cacheFile);
        if (path.isEmpty() || !QFile::exists(path)) {
            qCWarning(lcCache).noquote() << u"the cached copy of recording %1 is missing; it will be fetched again"_s.arg(
                copy.recordingId);
            missing.append(copy);
        } else if (const QString problem = headerProblem(path, copy.sizeBytes); !problem.isEmpty()) {
            qCWarning(lcCache).noquote() << u"the cached copy of recording %1 is damaged (the file %2); it will be "
                                            "fetched again"_s.arg(copy.recordingId, problem);
            damaged.append(copy);
        }
    }
    Report report;
    auto removedMissing = m_removal.remove(missing, LocalCopyRemoval::Reason::MissingFile);
    if (!removedMissing)
        return Result::failure(removedMissing.error());
    auto removedDamaged = m_removal.remove(damaged, LocalCopyRemoval::Reason::DamagedFile);
    if (!removedDamaged)
        return Result::failure(removedDamaged.error());
    report.missing = *removedMissing;
    report.damaged = *removedDamaged;
    report.strays = m_cache.removeStrays(referencedFiles());
    return report;
}

Expected<int> CacheReconciler::discardEverything()
{
    const auto copies = readCachedCopies(m_db, {});
    if (!copies)
        return Expected<int>::failure(copies.error());
    auto removed = m_removal.remove(*copies, LocalCopyRemoval::Reason::KeyLost);
    if (!removed)
        return removed;
    const auto partials = readPartialDownloads(m_db);
    if (!partials)
        return Expected<int>::failure(partials.error());
    if (auto forgotten = m_removal.forgetPartials(*partials, LocalCopyRemoval::Reason::KeyLost); !forgotten)
        return forgotten;
    return removed;
}

} // namespace earshot
