#include "cache/cachecipher.h"

#include <QtEndian>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace earshot {

static_assert(cacheformat::kKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(cacheformat::kTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(cacheformat::kFileIdSize + 8 == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

bool CacheCipher::initializeLibrary()
{
    static const bool initialized = sodium_init() >= 0;
    return initialized;
}

QByteArray CacheCipher::generateKey()
{
    initializeLibrary();
    QByteArray key(cacheformat::kKeySize, '\0');
    crypto_aead_xchacha20poly1305_ietf_keygen(reinterpret_cast<unsigned char *>(key.data()));
    return key;
}

CacheCipher::CacheCipher(QByteArray key, cacheformat::Header header)
    : m_key(std::move(key))
    , m_header(std::move(header))
    , m_encodedHeader(m_header.encode())
{
    initializeLibrary();
    Q_ASSERT(m_key.size() == cacheformat::kKeySize);
}

CacheCipher::~CacheCipher()
{
    sodium_memzero(m_key.data(), static_cast<size_t>(m_key.size()));
}

QByteArray CacheCipher::nonce(qint64 index) const
{
    QByteArray nonce = m_header.fileId;
    nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    qToLittleEndian<quint64>(static_cast<quint64>(index), nonce.data() + cacheformat::kFileIdSize);
    return nonce;
}

QByteArray CacheCipher::associatedData(qint64 index) const
{
    QByteArray data = m_encodedHeader;
    data.resize(cacheformat::kHeaderSize + 8);
    qToLittleEndian<quint64>(static_cast<quint64>(index), data.data() + cacheformat::kHeaderSize);
    return data;
}

QByteArray CacheCipher::seal(qint64 index, QByteArrayView plaintext) const
{
    QByteArray sealed(plaintext.size() + cacheformat::kTagSize, Qt::Uninitialized);
    const QByteArray nonceBytes = nonce(index);
    const QByteArray ad = associatedData(index);
    unsigned long long sealedLength = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char *>(sealed.data()), &sealedLength,
        reinterpret_cast<const unsigned char *>(plaintext.data()), static_cast<unsigned long long>(plaintext.size()),
        reinterpret_cast<const unsigned char *>(ad.constData()), static_cast<unsigned long long>(ad.size()), nullptr,
        reinterpret_cast<const unsigned char *>(nonceBytes.constData()),
        reinterpret_cast<const unsigned char *>(m_key.constData()));
    sealed.resize(static_cast<qsizetype>(sealedLength));
    return sealed;
}

Expected<QByteArray> CacheCipher::open(qint64 index, QByteArrayView sealed) const
{
    if (sealed.size() < cacheformat::kTagSize)
        return Expected<QByteArray>::failure(u"chunk %1 is missing or cut short"_s.arg(index));
    QByteArray plaintext(sealed.size() - cacheformat::kTagSize, Qt::Uninitialized);
    const QByteArray nonceBytes = nonce(index);
    const QByteArray ad = associatedData(index);
    unsigned long long plaintextLength = 0;
    const int result = crypto_aead_xchacha20poly1305_ietf_decrypt(
        reinterpret_cast<unsigned char *>(plaintext.data()), &plaintextLength, nullptr,
        reinterpret_cast<const unsigned char *>(sealed.data()), static_cast<unsigned long long>(sealed.size()),
        reinterpret_cast<const unsigned char *>(ad.constData()), static_cast<unsigned long long>(ad.size()),
        reinterpret_cast<const unsigned char *>(nonceBytes.constData()),
        reinterpret_cast<const unsigned char *>(m_key.constData()));
    if (result != 0)
        return Expected<QByteArray>::failure(u"chunk %1 failed authentication (altered, missing or another key)"_s.arg(index));
    plaintext.resize(static_cast<qsizetype>(plaintextLength));
    return plaintext;
}

} // namespace earshot
