#include "playback/cachedrecording.h"

#include "applogging.h"
#include "models/callpresentation.h"

#include <QCoreApplication>
#include <QDir>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

class CachedRecordingText
{
    Q_DECLARE_TR_FUNCTIONS(CachedRecording)
};

} // namespace

Expected<CachedRecording> openCachedRecording(const QString &cacheDirectory, const CallRow &call)
{
    using Result = Expected<CachedRecording>;
    if (const QString reason = presentation::whyNotPlayable(call); !reason.isEmpty())
        return Result::failure(reason);
    if (call.cacheFile.isEmpty())
        return Result::failure(CachedRecordingText::tr("The local store lists this recording as cached but names no "
                                                       "file; earshot-sync repairs that on its next pass."));

    // The name comes from the store, which another program writes: it must stay inside
    // the cache folder whatever it says.
    const QString root = QDir::cleanPath(QDir(cacheDirectory).absolutePath());
    const QString path = QDir::cleanPath(QDir(root).absoluteFilePath(call.cacheFile));
    if (QDir::isAbsolutePath(call.cacheFile) || !path.startsWith(root + u'/')) {
        qCWarning(lcPlayer) << "refusing cache file outside the cache folder:" << call.cacheFile;
        return Result::failure(CachedRecordingText::tr("The local store names a file outside the cache folder for "
                                                       "this recording (%1); it was not opened.")
                                   .arg(call.cacheFile));
    }

    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly)) {
        //: %1 is a file path, %2 the system's reason
        return Result::failure(CachedRecordingText::tr("The cached recording %1 cannot be opened: %2. Check that "
                                                       "the cache folder is readable.")
                                   .arg(QDir::toNativeSeparators(path), file->errorString()));
    }
    // Only the extension matters to the decoder; anything odd in it is dropped.
    QString format = call.recordingFormat.toLower();
    format.removeIf([](QChar c) { return !((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')); });
    return CachedRecording{std::move(file), QUrl(u"recording."_s + (format.isEmpty() ? u"bin"_s : format))};
}

} // namespace earshot
