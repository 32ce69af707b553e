#include "transfer/sha256.h"

#include <QString>

#include <openssl/evp.h>

namespace earshot {

Sha256::Sha256()
    : m_context(EVP_MD_CTX_new())
{
    // Only fails when out of memory; the later calls then fail too and the hash mismatches.
    EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr);
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_context);
}

void Sha256::add(QByteArrayView bytes)
{
    EVP_DigestUpdate(m_context, bytes.data(), static_cast<size_t>(bytes.size()));
}

QString Sha256::finishHex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context, digest, &length);
    EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(digest), static_cast<qsizetype>(length)).toHex());
}

} // namespace earshot
