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

constexpr auto kPartialSuffix = ".part";

Expected<CachedRecording> openSource(const QString &path, const QString &finalPath, const CallRow &call,
                                     const QByteArray &key)
{
    auto source = CacheFileSource::open(path, key, finalPath);
    if (!source)
        return Expected<CachedRecording>::failure(source.error()); // a sentence for the person already
    return CachedRecording{std::move(source).value(), formatHintFor(call.recordingFormat)};
}

} // namespace

QUrl formatHintFor(const QString &storeFormat)
{
    QString format = storeFormat.toLower();
    format.removeIf([](QChar c) { return !((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')); });
    return QUrl(u"recording."_s + (format.isEmpty() ? u"bin"_s : format));
}

Expected<QString> cacheFilePath(const QString &cacheDirectory, const QString &fileName)
{
    if (fileName.isEmpty())
        return Expected<QString>::failure(CachedRecordingText::tr("The local store lists this recording as cached "
                                                                  "but names no file; earshot-sync repairs that on "
                                                                  "its next pass."));
    const QString root = QDir::cleanPath(QDir(cacheDirectory).absolutePath());
    const QString path = QDir::cleanPath(QDir(root).absoluteFilePath(fileName));
    if (QDir::isAbsolutePath(fileName) || !path.startsWith(root + u'/')) {
        qCWarning(lcPlayer) << "refusing cache file outside the cache folder:" << fileName;
        return Expected<QString>::failure(CachedRecordingText::tr("The local store names a file outside the cache "
                                                                  "folder for this recording (%1); it was not "
                                                                  "opened.")
                                              .arg(fileName));
    }
    return path;
}

Expected<CachedRecording> openCachedRecording(const QString &cacheDirectory, const CallRow &call,
                                              const QByteArray &key)
{
    using Result = Expected<CachedRecording>;
    if (const QString reason = presentation::whyNotPlayable(call); !reason.isEmpty())
        return Result::failure(reason);
    const auto path = cacheFilePath(cacheDirectory, call.cacheFile);
    if (!path)
        return Result::failure(path.error());
    return openSource(*path, {}, call, key);
}

Expected<CachedRecording> openPartialRecording(const QString &cacheDirectory, const CallRow &call,
                                               const QByteArray &key)
{
    using Result = Expected<CachedRecording>;
    if (call.cacheState != CacheState::Partial || !call.cacheFile.endsWith(QLatin1StringView(kPartialSuffix)))
        return Result::failure(CachedRecordingText::tr("The recording is not being downloaded."));
    const auto path = cacheFilePath(cacheDirectory, call.cacheFile);
    if (!path)
        return Result::failure(path.error());
    const QString finalPath = path->chopped(qsizetype(std::strlen(kPartialSuffix)));
    return openSource(*path, finalPath, call, key);
}

} // namespace earshot
