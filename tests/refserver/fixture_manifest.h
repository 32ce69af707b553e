// The recording clips the server maps demo recordings onto, read from the manifest.tsv
// that tests/fixtures/make-recordings writes.
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>

namespace earshot::refserver {

struct FixtureClip
{
    QString file;   // plain file name inside the recordings dir
    QString format; // as the API names it: wav, mp3, m4a, aac, ogg, opus
    int channels = 1;
    double durationSeconds = 0;
    qint64 sizeBytes = 0;
    QString sha256;

    bool isVoicemail() const { return file.startsWith(QLatin1StringView("voicemail-")); }
};

struct ManifestResult
{
    QList<FixtureClip> clips;
    QString error; // set when clips is empty
};

ManifestResult loadFixtureManifest(const QString &recordingsDir);

} // namespace earshot::refserver
