#include "cache/copyverification.h"

#include "cache/encryptedcachereader.h"
#include "transfer/sha256.h"

using namespace Qt::StringLiterals;

namespace earshot {

QString copyProblem(const QString &path, const QByteArray &key, qint64 sizeBytes, const QString &sha256)
{
    auto reader = EncryptedCacheReader::open(path, key);
    if (!reader)
        return reader.error();
    if ((*reader)->size() != sizeBytes)
        return u"the copy holds %1 bytes, the recording has %2"_s.arg((*reader)->size()).arg(sizeBytes);
    Sha256 hash;
    constexpr qint64 kBlock = 1024 * 1024;
    for (qint64 done = 0; done < sizeBytes;) {
        const QByteArray block = (*reader)->read(std::min(kBlock, sizeBytes - done));
        if (block.isEmpty())
            return (*reader)->errorString().isEmpty() ? u"the copy cannot be read past byte %1"_s.arg(done)
                                                      : (*reader)->errorString();
        hash.add(block);
        done += block.size();
    }
    const QString digest = hash.finishHex();
    if (!sha256.isEmpty() && digest.compare(sha256, Qt::CaseInsensitive) != 0)
        return u"the copy's SHA-256 is %1, the server's %2"_s.arg(digest, sha256);
    return {};
}

} // namespace earshot
