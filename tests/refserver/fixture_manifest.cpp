#include "fixture_manifest.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

bool isPlainFileName(const QString &name)
{
    return !name.isEmpty() && !name.startsWith(u'.') && !name.contains(u'/') && !name.contains(u'\\');
}

} // namespace

ManifestResult loadFixtureManifest(const QString &recordingsDir)
{
    const QString path = QDir(recordingsDir).filePath(u"manifest.tsv"_s);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {{}, u"cannot read %1 (build the earshot_fixture_recordings target): %2"_s.arg(
                        path, file.errorString())};

    static const QStringList formats = {u"wav"_s, u"mp3"_s, u"m4a"_s, u"aac"_s, u"ogg"_s, u"opus"_s};
    ManifestResult result;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith("file\t"_L1))
            continue;
        const QStringList fields = line.split(u'\t');
        bool channelsOk = false, durationOk = false, sizeOk = false;
        FixtureClip clip;
        if (fields.size() >= 6) {
            clip.file = fields[0];
            clip.format = fields[1];
            clip.channels = fields[2].toInt(&channelsOk);
            clip.durationSeconds = fields[3].toDouble(&durationOk);
            clip.sizeBytes = fields[4].toLongLong(&sizeOk);
            clip.sha256 = fields[5];
        }
        if (!channelsOk || !durationOk || !sizeOk || !isPlainFileName(clip.file)
            || !formats.contains(clip.format) || clip.sha256.size() != 64)
            return {{}, u"%1:%2: malformed manifest line"_s.arg(path).arg(lineNumber)};
        if (!QFileInfo::exists(QDir(recordingsDir).filePath(clip.file)))
            return {{}, u"%1:%2: %3 is missing"_s.arg(path).arg(lineNumber).arg(clip.file)};
        result.clips.append(clip);
    }
    if (result.clips.isEmpty())
        result.error = u"%1 lists no recordings"_s.arg(path);
    return result;
}

} // namespace earshot::refserver
