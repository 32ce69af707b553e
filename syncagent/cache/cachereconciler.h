#pragma once

#include "expected.h"

#include <QSqlDatabase>
#include <QStringList>

#include <functional>

namespace earshot {

class CacheFolder;
class LocalCopyRemoval;

// Makes the store and the cache folder agree at start, both ways: a row that says
// "present" whose file is missing, or whose header does not describe the recording (not
// ours, truncated, another recording's size), becomes absent again (audited as a local
// deletion) so that the recording is fetched again; then every file in the folder that
// no row refers to goes (CacheFolder::removeStrays). Run only under the agent's lock.
class CacheReconciler
{
public:
    CacheReconciler(QSqlDatabase db, const CacheFolder &cache, LocalCopyRemoval &removal)
        : m_db(std::move(db)), m_cache(cache), m_removal(removal)
    {
    }

    struct Report
    {
        int missing = 0;
        int damaged = 0;
        int strays = 0;
    };
    // referencedFiles is asked after the rows are repaired (TransferEngine::protectedCacheFiles).
    Expected<Report> run(const std::function<QStringList()> &referencedFiles);

    // The cache key was lost: every copy is removed (audited, reason key_lost) and every
    // partial download forgotten, since both are sealed under a key no one has. Returns the
    // copies removed.
    Expected<int> discardEverything();

    // Empty when the file's header fits a complete copy of sizeBytes; else what is wrong.
    static QString headerProblem(const QString &path, qint64 sizeBytes);

private:
    QSqlDatabase m_db;
    const CacheFolder &m_cache;
    LocalCopyRemoval &m_removal;
};

} // namespace earshot
