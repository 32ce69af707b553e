#include "testsupport/media_files.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot::testsupport {

QList<MediaFile> writeMediaFiles(const QString &dir, const QStringList &names, const QList<qint64> &sizes,
                                 QString *error)
{
    QList<MediaFile> files;
    if (names.size() != sizes.size() || !QDir().mkpath(dir)) {
        *error = u"cannot create %1 (or names and sizes differ in number)"_s.arg(dir);
        return {};
    }
    QByteArray manifest = "file\tformat\tchannels\tduration_seconds\tsize_bytes\tsha256\n";
    QRandomGenerator random(42);
    // Written and hashed in chunks: tests make files of hundreds of MiB.
    constexpr qint64 chunkBytes = 1 << 20;
    QByteArray chunk(chunkBytes, Qt::Uninitialized);
    for (qsizetype i = 0; i < names.size(); ++i) {
        QFile file(QDir(dir).filePath(names[i]));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            *error = u"cannot write %1"_s.arg(file.fileName());
            return {};
        }
        QCryptographicHash sha256(QCryptographicHash::Sha256);
        for (qint64 left = sizes[i]; left > 0;) {
            random.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunkBytes / 4);
            const QByteArrayView piece(chunk.constData(), std::min(left, chunkBytes));
            if (file.write(piece.data(), piece.size()) != piece.size()) {
                *error = u"cannot write %1: %2"_s.arg(file.fileName(), file.errorString());
                return {};
            }
            sha256.addData(piece);
            left -= piece.size();
        }
        const MediaFile media{names[i], sizes[i], QString::fromLatin1(sha256.result().toHex()),
                              double(sizes[i]) / 16'000.0};
        manifest += media.file.toUtf8() + "\tmp3\t1\t" + QByteArray::number(media.durationSeconds, 'f', 3) + '\t'
                    + QByteArray::number(media.sizeBytes) + '\t' + media.sha256.toLatin1() + '\n';
        files.append(media);
    }
    QFile out(QDir(dir).filePath(u"manifest.tsv"_s));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(manifest) != manifest.size()) {
        *error = u"cannot write %1"_s.arg(out.fileName());
        return {};
    }
    return files;
}

} // namespace earshot::testsupport
