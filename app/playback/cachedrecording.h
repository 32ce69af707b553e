#pragma once

#include "expected.h"
#include "store/callquery.h"

#include <QFile>
#include <QUrl>

#include <memory>

namespace earshot {

// A call's recording opened from the local cache, ready for PlaybackEngine::setSource.
struct CachedRecording
{
    std::unique_ptr<QFile> file;
    QUrl formatHint; // "recording.<format>", which is all the decoder needs to know
};

// Opens the cached copy of the call's recording, or says why it cannot be played: not
// cached (and why not), or the file is missing, unreadable or outside the cache folder.
Expected<CachedRecording> openCachedRecording(const QString &cacheDirectory, const CallRow &call);

} // namespace earshot
