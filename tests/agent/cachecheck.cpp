#include "cachecheck.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSet>

using namespace Qt::StringLiterals;

CacheCheck checkCache(const StoreInspector &store, const QString &cacheDir)
{
    CacheCheck check;
    QSet<QString> referenced;
    const QList<StoredRecording> recordings = store.recordings();
    for (const StoredRecording &recording : recordings) {
        const bool present = recording.cacheState == "present"_L1;
        if (recording.status == "available"_L1 && !present) {
            check.problems.append(u"recording %1 is available but %2"_s.arg(recording.id, recording.cacheState));
            continue;
        }
        if (!present)
            continue;
        referenced.insert(recording.cacheFile);
        QFile file(QDir(cacheDir).filePath(recording.cacheFile));
        if (!file.open(QIODevice::ReadOnly)) {
            check.problems.append(u"recording %1: cannot open %2"_s.arg(recording.id, file.fileName()));
            continue;
        }
        const QByteArray content = file.readAll();
        if (content.size() != recording.sizeBytes)
            check.problems.append(
                u"recording %1: %2 bytes, expected %3"_s.arg(recording.id).arg(content.size()).arg(recording.sizeBytes));
        const QString digest = QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
        if (!recording.sha256.isEmpty() && digest != recording.sha256)
            check.problems.append(u"recording %1: SHA-256 %2, expected %3"_s.arg(recording.id, digest, recording.sha256));
        ++check.present;
        check.bytes += content.size();
    }
    const QStringList files = QDir(cacheDir).entryList(QDir::Files | QDir::Hidden | QDir::System);
    for (const QString &name : files) {
        if (!referenced.contains(name))
            check.problems.append(u"unexpected file in the cache: %1"_s.arg(name));
    }
    return check;
}
