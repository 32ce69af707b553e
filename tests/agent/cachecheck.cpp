#include "cachecheck.h"

#include "cache/cachekey.h"
#include "cache/encryptedcachereader.h"
#include "secrets/keychainsecretstore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSet>

using namespace Qt::StringLiterals;

QByteArray cacheKeyOf(const StoreInspector &store)
{
    earshot::KeychainSecretStore keychain;
    auto key = earshot::CacheKey::load(store.connection(), keychain);
    if (!key) {
        qWarning().noquote() << "cannot read the cache key:" << key.error();
        return {};
    }
    return *key;
}

DecryptedDigest decryptedDigest(const QString &path, const QByteArray &key)
{
    DecryptedDigest digest;
    auto reader = earshot::EncryptedCacheReader::open(path, key);
    if (!reader) {
        digest.error = reader.error();
        return digest;
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    qint64 size = 0;
    while (!(*reader)->atEnd()) {
        const QByteArray block = (*reader)->read(1024 * 1024);
        if (block.isEmpty()) {
            digest.error = (*reader)->errorString();
            return digest;
        }
        hash.addData(block);
        size += block.size();
    }
    digest.sha256 = QString::fromLatin1(hash.result().toHex());
    digest.size = size;
    return digest;
}

CacheCheck checkCache(const StoreInspector &store, const QString &cacheDir)
{
    CacheCheck check;
    const QByteArray key = cacheKeyOf(store);
    QSet<QString> referenced;
    const QList<StoredRecording> recordings = store.recordings();
    for (const StoredRecording &recording : recordings) {
        const bool present = recording.cacheState == "present"_L1;
        if (recording.status == "available"_L1 && !present) {
            check.problems.append(u"recording %1 is available but %2 (%3)"_s.arg(recording.id, recording.cacheState,
                                                                                 recording.lastError));
            continue;
        }
        if (!present)
            continue;
        referenced.insert(recording.cacheFile);
        const DecryptedDigest digest = decryptedDigest(QDir(cacheDir).filePath(recording.cacheFile), key);
        if (!digest.error.isEmpty()) {
            check.problems.append(u"recording %1: %2"_s.arg(recording.id, digest.error));
            continue;
        }
        if (digest.size != recording.sizeBytes)
            check.problems.append(
                u"recording %1: %2 bytes, expected %3"_s.arg(recording.id).arg(digest.size).arg(recording.sizeBytes));
        if (!recording.sha256.isEmpty() && digest.sha256 != recording.sha256)
            check.problems.append(u"recording %1: SHA-256 %2, expected %3"_s.arg(recording.id, digest.sha256, recording.sha256));
        ++check.present;
        check.bytes += digest.size;
    }
    const QStringList files = QDir(cacheDir).entryList(QDir::Files | QDir::Hidden | QDir::System);
    for (const QString &name : files) {
        if (!referenced.contains(name))
            check.problems.append(u"unexpected file in the cache: %1"_s.arg(name));
    }
    return check;
}
