// The encrypted recording cache: random access to the plaintext, chunks written in any
// order, resume at the first missing chunk, and refusal of anything altered, moved,
// truncated or sealed under another key. Also: nothing readable lands on disk.
#include "cache/cachekey.h"
#include "cache/encryptedcachereader.h"
#include "cache/encryptedcachewriter.h"
#include "secrets/keychainsecretstore.h"
#include "store/database.h"
#include "store/syncstate.h"

#include <QRandomGenerator>
#include <QtEndian>
#include <QTemporaryDir>
#include <QTest>

#include <sodium.h>

using namespace Qt::StringLiterals;
using namespace earshot;

namespace {

constexpr qint64 kChunk = cacheformat::kDefaultChunkSize;

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char &byte : bytes)
        byte = static_cast<char>(generator.bounded(256));
    return bytes;
}

// Something that looks like a recording: a WAV header and a recognisable sample.
QByteArray recordingLikePlaintext()
{
    QByteArray bytes = "RIFF\x24\x00\x10\x00WAVEfmt "_ba;
    while (bytes.size() < 5 * kChunk)
        bytes += "customer account number 4417-2209, agent Priya speaking; "_ba;
    return bytes;
}

QByteArray readAll(const QString &path, const QByteArray &key)
{
    auto reader = EncryptedCacheReader::open(path, key);
    if (!reader)
        return "OPEN FAILED: "_ba + reader.error().toUtf8();
    return (*reader)->readAll();
}

void writeSequentially(const QString &path, const QByteArray &key, const QByteArray &plaintext, int piece)
{
    auto writer = EncryptedCacheWriter::create(path, key, quint64(plaintext.size()));
    QVERIFY2(writer, qPrintable(writer.error()));
    for (qsizetype at = 0; at < plaintext.size(); at += piece)
        QVERIFY((*writer)->append(QByteArrayView(plaintext).sliced(at, std::min<qsizetype>(piece, plaintext.size() - at))));
    QVERIFY((*writer)->isComplete());
    QVERIFY((*writer)->sync());
}

void corruptByte(const QString &path, qint64 offset)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.seek(offset));
    char byte = 0;
    QVERIFY(file.getChar(&byte));
    QVERIFY(file.seek(offset));
    QVERIFY(file.putChar(static_cast<char>(byte ^ 0x01)));
}

} // namespace

class TestEncryptedCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { m_key = CacheCipher::generateKey(); }

    void roundTripsEverySizeWithRandomAccess_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<int>("piece");
        QTest::newRow("empty") << qint64(0) << 1000;
        QTest::newRow("one byte") << qint64(1) << 1000;
        QTest::newRow("one chunk exactly") << kChunk << 4096;
        QTest::newRow("chunk plus one") << kChunk + 1 << 7777;
        QTest::newRow("three and a half chunks") << 3 * kChunk + kChunk / 2 << 1500;
    }

    void roundTripsEverySizeWithRandomAccess()
    {
        QFETCH(qint64, size);
        QFETCH(int, piece);
        const QString path = m_dir.filePath(u"round.cache"_s);
        const QByteArray plaintext = randomBytes(size, 7);
        writeSequentially(path, m_key, plaintext, piece);
        QCOMPARE(QFileInfo(path).size(), cacheformat::kHeaderSize + size + ((size + kChunk - 1) / kChunk) * 16);
        QCOMPARE(readAll(path, m_key), plaintext);

        auto reader = EncryptedCacheReader::open(path, m_key);
        QVERIFY(reader);
        QCOMPARE((*reader)->size(), size);
        QRandomGenerator generator(11);
        for (int i = 0; i < 50 && size > 0; ++i) {
            const qint64 at = generator.bounded(size);
            const qint64 length = std::min<qint64>(generator.bounded(3 * kChunk), size - at);
            QVERIFY((*reader)->seek(at));
            QCOMPARE((*reader)->read(length), plaintext.mid(at, length));
        }
    }

    void chunksCanBeWrittenInAnyOrder()
    {
        const QString path = m_dir.filePath(u"sparse.cache"_s);
        const QByteArray plaintext = randomBytes(4 * kChunk + 100, 3);
        auto writer = EncryptedCacheWriter::create(path, m_key, quint64(plaintext.size()));
        QVERIFY(writer);
        for (qint64 index : {3, 0, 4, 2}) // the player asked for the middle first
            QVERIFY((*writer)->writeChunk(index, QByteArrayView(plaintext).sliced(index * kChunk,
                                                                                  (*writer)->header().plaintextChunkSize(index))));
        QVERIFY(!(*writer)->isComplete());
        QCOMPARE((*writer)->contiguousPlaintextBytes(), kChunk); // chunk 1 is the gap
        QVERIFY((*writer)->writeChunk(1, QByteArrayView(plaintext).sliced(kChunk, kChunk)));
        QVERIFY((*writer)->isComplete());
        QCOMPARE(readAll(path, m_key), plaintext);
    }

    // Two requests may both fetch a chunk (the player's range and the main stream). If the
    // server's copy changed in between, sealing the second under the same nonce would leak
    // both plaintexts' XOR and Poly1305's key: the first stored chunk stays, byte for byte.
    void aStoredChunkIsNeverSealedAgain()
    {
        const QString path = m_dir.filePath(u"twice.cache"_s);
        const QByteArray first = randomBytes(2 * kChunk, 21);
        const QByteArray other = randomBytes(kChunk, 22);
        auto writer = EncryptedCacheWriter::create(path, m_key, quint64(first.size()));
        QVERIFY(writer);
        QVERIFY((*writer)->writeChunk(1, QByteArrayView(first).sliced(kChunk)));
        const auto sealedChunk = [&path] {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) && file.seek(cacheformat::kHeaderSize + kChunk + 16)
                ? file.read(kChunk + 16)
                : QByteArray();
        };
        const QByteArray sealed = sealedChunk();
        QCOMPARE(sealed.size(), kChunk + 16);
        QVERIFY((*writer)->writeChunk(1, other));
        QCOMPARE(sealedChunk(), sealed);
        QVERIFY((*writer)->writeChunk(0, QByteArrayView(first).first(kChunk)));
        QVERIFY((*writer)->isComplete());
        QCOMPARE(readAll(path, m_key), first);
    }

    void resumesAtTheFirstMissingChunkAfterACrash()
    {
        const QString path = m_dir.filePath(u"resume.cache"_s);
        const QByteArray plaintext = randomBytes(5 * kChunk + 999, 5);
        {
            auto writer = EncryptedCacheWriter::create(path, m_key, quint64(plaintext.size()));
            QVERIFY(writer);
            QVERIFY((*writer)->append(QByteArrayView(plaintext).first(2 * kChunk + kChunk / 2)));
            // The process dies here: the half chunk in memory is lost, nothing else.
        }
        auto resumed = EncryptedCacheWriter::resume(path, m_key, quint64(plaintext.size()));
        QVERIFY2(resumed, qPrintable(resumed.error()));
        QCOMPARE((*resumed)->contiguousPlaintextBytes(), 2 * kChunk);
        QCOMPARE((*resumed)->appendPosition(), 2 * kChunk);
        QVERIFY((*resumed)->append(QByteArrayView(plaintext).sliced(2 * kChunk)));
        QVERIFY((*resumed)->isComplete());
        QCOMPARE(readAll(path, m_key), plaintext);

        QVERIFY(!EncryptedCacheWriter::resume(path, m_key, quint64(plaintext.size() + 1))); // another version
    }

    void aTornChunkIsNotCountedOnResume()
    {
        const QString path = m_dir.filePath(u"torn.cache"_s);
        const QByteArray plaintext = randomBytes(3 * kChunk, 9);
        writeSequentially(path, m_key, plaintext, 10000);
        corruptByte(path, cacheformat::kHeaderSize + (kChunk + 16) + 500); // inside chunk 1
        auto resumed = EncryptedCacheWriter::resume(path, m_key, quint64(plaintext.size()));
        QVERIFY(resumed);
        QVERIFY((*resumed)->hasChunk(0) && !(*resumed)->hasChunk(1) && (*resumed)->hasChunk(2));
        QCOMPARE((*resumed)->contiguousPlaintextBytes(), kChunk);
    }

    void alteredMovedTruncatedOrForeignChunksAreRefused()
    {
        const QString path = m_dir.filePath(u"tamper.cache"_s);
        const QByteArray plaintext = randomBytes(4 * kChunk, 13);
        writeSequentially(path, m_key, plaintext, 65536);
        corruptByte(path, cacheformat::kHeaderSize + 2 * (kChunk + 16) + 77); // chunk 2

        auto reader = EncryptedCacheReader::open(path, m_key);
        QVERIFY(reader);
        QCOMPARE((*reader)->read(2 * kChunk), plaintext.first(2 * kChunk)); // chunks 0 and 1 are fine
        QVERIFY((*reader)->seek(2 * kChunk + 10));
        QCOMPARE((*reader)->read(100).size(), 0);
        QVERIFY2((*reader)->errorString().contains(u"damaged"_s), qPrintable((*reader)->errorString()));
        QVERIFY((*reader)->seek(3 * kChunk));
        QCOMPARE((*reader)->read(kChunk), plaintext.sliced(3 * kChunk)); // and chunk 3 still reads

        // Two whole chunks swapped: each is authentic, but not at that place.
        const QString swapped = m_dir.filePath(u"swapped.cache"_s);
        writeSequentially(swapped, m_key, plaintext, 65536);
        QFile file(swapped);
        QVERIFY(file.open(QIODevice::ReadWrite));
        const qint64 slot = kChunk + 16;
        file.seek(cacheformat::kHeaderSize);
        const QByteArray first = file.read(slot), second = file.read(slot);
        file.seek(cacheformat::kHeaderSize);
        file.write(second);
        file.write(first);
        file.close();
        QCOMPARE(readAll(swapped, m_key).size(), 0);

        // Cut short: the header still promises four chunks.
        const QString truncated = m_dir.filePath(u"truncated.cache"_s);
        writeSequentially(truncated, m_key, plaintext, 65536);
        QVERIFY(QFile::resize(truncated, QFileInfo(truncated).size() - 100));
        auto cut = EncryptedCacheReader::open(truncated, m_key);
        QVERIFY(cut);
        QCOMPARE((*cut)->readAll().size(), 3 * kChunk);

        // The header's size edited to pass as a shorter recording.
        const QString edited = m_dir.filePath(u"edited.cache"_s);
        writeSequentially(edited, m_key, plaintext, 65536);
        corruptByte(edited, 16); // low byte of the plaintext size
        QCOMPARE(readAll(edited, m_key).size(), 0);

        // Another key.
        auto foreign = EncryptedCacheReader::open(edited, CacheCipher::generateKey());
        QVERIFY(foreign);
        QCOMPARE((*foreign)->readAll().size(), 0);
        QVERIFY((*foreign)->errorString().contains(u"another key"_s));
    }

    // The format is XChaCha20-Poly1305 (IETF) with nonce = file id || chunk index and the
    // header || chunk index as associated data: libsodium's reference implementation must
    // open what CacheCipher seals, and CacheCipher what libsodium seals.
    void chunksAreStandardXChaCha20Poly1305()
    {
        QVERIFY(CacheCipher::initializeLibrary());
        const QByteArray plaintext = randomBytes(kChunk, 7);
        const cacheformat::Header header = cacheformat::Header::createNew(quint64(3 * kChunk));
        const CacheCipher cipher(m_key, header);
        const auto key = reinterpret_cast<const unsigned char *>(m_key.constData());
        for (const qint64 index : {qint64(0), qint64(2)}) {
            QByteArray nonce = header.fileId;
            nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
            qToLittleEndian<quint64>(quint64(index), nonce.data() + cacheformat::kFileIdSize);
            QByteArray ad = header.encode();
            ad.resize(cacheformat::kHeaderSize + 8);
            qToLittleEndian<quint64>(quint64(index), ad.data() + cacheformat::kHeaderSize);
            const auto adBytes = reinterpret_cast<const unsigned char *>(ad.constData());
            const auto nonceBytes = reinterpret_cast<const unsigned char *>(nonce.constData());

            const QByteArray sealed = cipher.seal(index, plaintext);
            QByteArray opened(plaintext.size(), Qt::Uninitialized);
            unsigned long long openedLength = 0;
            QCOMPARE(crypto_aead_xchacha20poly1305_ietf_decrypt(
                         reinterpret_cast<unsigned char *>(opened.data()), &openedLength, nullptr,
                         reinterpret_cast<const unsigned char *>(sealed.constData()), quint64(sealed.size()), adBytes,
                         quint64(ad.size()), nonceBytes, key),
                     0);
            QCOMPARE(opened, plaintext);

            QByteArray bySodium(plaintext.size() + cacheformat::kTagSize, Qt::Uninitialized);
            unsigned long long sealedLength = 0;
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                reinterpret_cast<unsigned char *>(bySodium.data()), &sealedLength,
                reinterpret_cast<const unsigned char *>(plaintext.constData()), quint64(plaintext.size()), adBytes,
                quint64(ad.size()), nullptr, nonceBytes, key);
            QCOMPARE(bySodium, sealed);
            const auto reopened = cipher.open(index, bySodium);
            QVERIFY2(reopened, qPrintable(reopened.error()));
            QCOMPARE(*reopened, plaintext);
            QVERIFY(!cipher.open(index + 1, bySodium)); // moved to another slot
        }
    }

    void theCacheHoldsNoPlaintext()
    {
        const QString path = m_dir.filePath(u"secret.cache"_s);
        const QByteArray plaintext = recordingLikePlaintext();
        writeSequentially(path, m_key, plaintext, 4000);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray onDisk = file.readAll();
        for (const QByteArray &needle : {"RIFF"_ba, "WAVE"_ba, "4417-2209"_ba, "customer account"_ba})
            QVERIFY2(!onDisk.contains(needle), needle.constData());
        QCOMPARE(readAll(path, m_key), plaintext);
    }

    void theKeyLivesInTheKeychainAndTheStoreNamesIt()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QFAIL("no D-Bus session: run through scripts/with-keyring (scripts/test does)");
        auto database = Database::open(m_dir.filePath(u"store.sqlite"_s));
        QVERIFY(database);
        const QSqlDatabase db = (*database)->connection();
        KeychainSecretStore secrets(u"Earshot test"_s);

        const auto none = CacheKey::load(db, secrets);
        QVERIFY(!none);
        QVERIFY2(none.error().contains(u"no key yet"_s), qPrintable(none.error()));

        const auto created = CacheKey::loadOrCreate(db, secrets);
        QVERIFY2(created, qPrintable(created.error()));
        QCOMPARE(created->size(), cacheformat::kKeySize);
        QCOMPARE(*CacheKey::loadOrCreate(db, secrets), *created); // created once
        QCOMPARE(*CacheKey::load(db, secrets), *created);

        const QString keyId = SyncState(db).value(CacheKey::kKeyIdState);
        QVERIFY(!keyId.isEmpty());
        QVERIFY(secrets.remove(CacheKey::keychainEntry(keyId)));
        const auto lost = CacheKey::load(db, secrets);
        QVERIFY(!lost);
        QVERIFY2(lost.error().contains(u"missing from the system keychain"_s), qPrintable(lost.error()));
    }

private:
    QTemporaryDir m_dir;
    QByteArray m_key;
};

QTEST_GUILESS_MAIN(TestEncryptedCache)
#include "tst_encryptedcache.moc"
