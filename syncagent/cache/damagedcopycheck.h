#pragma once

#include "expected.h"

#include <QObject>
#include <QSqlDatabase>

#include <functional>

namespace earshot {

class CacheFolder;
class CacheUpkeep;
class TransferEngine;

// The app met a cached copy it could not read (a chunk that failed authentication: a
// disk error, or tampering). The agent does not take the app's word for it: it reads the
// copy whole on a pool thread (copyProblem). A damaged copy is removed (audited as
// damaged_file) and fetched again ahead of everything; a sound one is left alone.
class DamagedCopyCheck : public QObject
{
    Q_OBJECT

public:
    struct Verdict
    {
        bool damaged = false;
        QString problem; // what was wrong, when damaged
    };
    using Done = std::function<void(const Expected<Verdict> &verdict)>;

    DamagedCopyCheck(QSqlDatabase db, const CacheFolder &cache, QByteArray key, CacheUpkeep &upkeep,
                     TransferEngine &transfers, QObject *parent = nullptr);

    // Fails when the store has no cached copy of the recording.
    void check(const QString &recordingId, Done done);

private:
    void conclude(const QString &recordingId, const QString &cacheFile, const QString &problem, const Done &done);

    QSqlDatabase m_db;
    const CacheFolder &m_cache;
    QByteArray m_key;
    CacheUpkeep &m_upkeep;
    TransferEngine &m_transfers;
};

} // namespace earshot
