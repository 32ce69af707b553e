#pragma once

#include "expected.h"

#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

namespace earshot {

// A recording whose complete copy is in the cache, as the cache policy weighs it.
struct CachedCopy
{
    QString recordingId;
    QString callId;
    QString cacheFile;
    QString sha256;
    qint64 sizeBytes = 0;
    qint64 callStartedAtMs = 0;
    qint64 cachedAtMs = 0;
    // Last played or exported, else when it was cached: what least-recently-used means here.
    qint64 lastUsedAtMs = 0;
    bool pinned = false;
};

// The present copies, all of them or those matching a condition over `recordings r`
// (a constant of the caller's, with its values); pinned marks those in pinnedRecordings.
Expected<QList<CachedCopy>> readCachedCopies(QSqlDatabase db, const QSet<QString> &pinnedRecordings,
                                             const QString &condition = {}, const QVariantList &values = {});

// A download under way or cut short: its row says partial and names its file.
struct PartialDownload
{
    QString recordingId;
    QString cacheFile;
};

// The partial downloads, all of them or those matching a condition over `recordings r`
// and `calls c`, as readCachedCopies takes one.
Expected<QList<PartialDownload>> readPartialDownloads(QSqlDatabase db, const QString &condition = {},
                                                      const QVariantList &values = {});

// The user played or exported the recording at atMs (the app tells the agent, which owns
// the store's writes): its copy is then the last the quota evicts. False when the store
// has no such recording.
Expected<bool> markRecordingUsed(QSqlDatabase db, const QString &recordingId, qint64 atMs);

} // namespace earshot
