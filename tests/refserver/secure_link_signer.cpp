#include "secure_link_signer.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

SecureLinkSigner::SecureLinkSigner(QUrl baseUrl, QByteArray secret)
    : m_baseUrl(std::move(baseUrl)), m_secret(std::move(secret))
{
}

QByteArray SecureLinkSigner::token(qint64 expires, const QString &uri, QByteArrayView secret)
{
    QCryptographicHash md5(QCryptographicHash::Md5);
    md5.addData(QByteArray::number(expires));
    md5.addData(uri.toUtf8());
    md5.addData(" ");
    md5.addData(secret);
    return md5.result().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

SignedUrl SecureLinkSigner::sign(const QString &fileName, int lifetimeSeconds) const
{
    SignedUrl signedUrl;
    // nginx treats a link as expired only once the clock has passed `expires`, so it is
    // good for at least lifetimeSeconds, like the built-in URLs.
    signedUrl.expiresAtSeconds = QDateTime::currentSecsSinceEpoch() + lifetimeSeconds;
    signedUrl.expiresInSeconds = lifetimeSeconds;
    // nginx signs the decoded, normalized path ($uri); the URL carries it percent-encoded.
    const QString uri = m_baseUrl.path(QUrl::FullyDecoded) + u'/' + fileName;
    const QByteArray expires = QByteArray::number(signedUrl.expiresAtSeconds);
    signedUrl.url = m_baseUrl.toString(QUrl::FullyEncoded) + u'/'
                    + QString::fromLatin1(QUrl::toPercentEncoding(fileName)) + u"?md5="_s
                    + QString::fromLatin1(token(signedUrl.expiresAtSeconds, uri, m_secret)) + u"&expires="_s
                    + QString::fromLatin1(expires);
    return signedUrl;
}

} // namespace earshot::refserver
