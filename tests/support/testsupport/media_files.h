// Recording files made up for a test: pseudo-random bytes of chosen sizes plus the
// manifest.tsv the reference server reads (--recordings-dir), as the mirror benchmark
// makes them. The content is not audio; nothing on the mirror path decodes it.
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace earshot::testsupport {

struct MediaFile
{
    QString file; // plain name inside the directory
    qint64 sizeBytes = 0;
    QString sha256; // lowercase hex
    double durationSeconds = 0;
};

// Writes one file per entry of `names` with the size at the same index ("mp3" files of
// 128 kbit/s as far as the manifest says) and manifest.tsv; empty with *error set on failure.
QList<MediaFile> writeMediaFiles(const QString &dir, const QStringList &names, const QList<qint64> &sizes,
                                 QString *error);

} // namespace earshot::testsupport
