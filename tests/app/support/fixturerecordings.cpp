#include "fixturerecordings.h"

#include "cache/encryptedcachewriter.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

namespace earshot::testsupport {

QList<FixtureRecording> readFixtureManifest(const QString &directory, QString *error)
{
    QFile manifest(QDir(directory).filePath(u"manifest.tsv"_s));
    if (!manifest.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = u"no fixture manifest at %1 (%2): build the earshot_fixture_recordings target"_s.arg(
            manifest.fileName(), manifest.errorString());
        return {};
    }
    QList<FixtureRecording> recordings;
    const QStringList lines = QString::fromUtf8(manifest.readAll()).split(u'\n', Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < lines.size(); ++i) { // line 0 is the header
        const QStringList fields = lines.at(i).split(u'\t');
        if (fields.size() != 6) {
            *error = u"manifest line %1 has %2 fields, not 6"_s.arg(i + 1).arg(fields.size());
            return {};
        }
        FixtureRecording recording;
        recording.file = fields.at(0);
        recording.path = QDir(directory).absoluteFilePath(recording.file);
        recording.format = fields.at(1);
        recording.channels = fields.at(2).toInt();
        recording.durationSeconds = fields.at(3).toDouble();
        recording.sizeBytes = fields.at(4).toLongLong();
        recording.sha256 = fields.at(5);
        recordings.append(recording);
    }
    if (recordings.isEmpty())
        *error = u"the fixture manifest %1 lists no recordings"_s.arg(manifest.fileName());
    return recordings;
}

QString writeEncryptedCopy(const QString &sourcePath, const QString &cachePath, const QByteArray &key)
{
    QFile source(sourcePath);
    if (!source.open(QIODevice::ReadOnly))
        return u"cannot read %1: %2"_s.arg(sourcePath, source.errorString());
    const QByteArray plaintext = source.readAll();
    auto writer = EncryptedCacheWriter::create(cachePath, key, quint64(plaintext.size()));
    if (!writer)
        return writer.error();
    if (Status appended = (*writer)->append(plaintext); !appended)
        return appended.error();
    if (!(*writer)->isComplete())
        return u"the encrypted copy of %1 is incomplete"_s.arg(sourcePath);
    if (Status synced = (*writer)->sync(); !synced)
        return synced.error();
    return {};
}

} // namespace earshot::testsupport
