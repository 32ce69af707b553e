#pragma once

#include "expected.h"
#include "playback/cachefilesource.h"
#include "store/callquery.h"

#include <QUrl>

#include <memory>

namespace earshot {

// A call's recording opened from the local cache, ready for PlaybackEngine::setSource.
struct CachedRecording
{
    std::unique_ptr<CacheFileSource> source;
    QUrl formatHint; // "recording.<format>", which is all the decoder needs to know
};

// "recording.<format>", with anything odd in the store's format dropped.
QUrl formatHintFor(const QString &format);

// The path of a cache file the store names, or why it is refused: the name comes from
// the store, which another program writes, and must stay inside the cache folder.
Expected<QString> cacheFilePath(const QString &cacheDirectory, const QString &fileName);

// Opens the encrypted cached copy of the call's recording, or says why it cannot be
// played: not cached (and why not), the file is missing or outside the cache folder, or
// it does not authenticate under `key` (damaged, or from another computer).
Expected<CachedRecording> openCachedRecording(const QString &cacheDirectory, const CallRow &call,
                                              const QByteArray &key);

// Opens a download in progress (cache state partial) for playing while it grows; the
// agent renames it to its final name, the partial's without ".part", when it completes.
Expected<CachedRecording> openPartialRecording(const QString &cacheDirectory, const CallRow &call,
                                               const QByteArray &key);

} // namespace earshot
