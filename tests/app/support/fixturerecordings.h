#pragma once

#include <QList>
#include <QString>

namespace earshot::testsupport {

// One line of manifest.tsv in EARSHOT_FIXTURE_RECORDINGS_DIR (tests/fixtures/make-recordings).
struct FixtureRecording
{
    QString file; // name inside the fixture folder
    QString path; // absolute
    QString format;
    int channels = 1;
    double durationSeconds = 0;
    qint64 sizeBytes = 0;
    QString sha256;
};

// The fixture set, or an empty list and a message saying how to produce it.
QList<FixtureRecording> readFixtureManifest(const QString &directory, QString *error);

// Writes the file at `sourcePath` into an encrypted cache file at `cachePath` under `key`,
// through EncryptedCacheWriter as the agent does. Empty on success, else the problem.
QString writeEncryptedCopy(const QString &sourcePath, const QString &cachePath, const QByteArray &key);

} // namespace earshot::testsupport
