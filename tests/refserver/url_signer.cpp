#include "url_signer.h"

#include "crypto_util.h"

#include <QtCore/QDateTime>
#include <QtCore/QUrl>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

UrlSigner::UrlSigner(QByteArray key, QString baseUrl) : m_key(std::move(key)), m_baseUrl(std::move(baseUrl)) { }

QString UrlSigner::mediaFileName(const QString &recordingId, const QString &format)
{
    return recordingId + u'.' + format;
}

QByteArray UrlSigner::signature(const QString &fileName, QByteArrayView expires, QByteArrayView nonce) const
{
    const QByteArray message = "GET /media/" + fileName.toUtf8() + '\n' + expires.toByteArray() + '\n'
                               + nonce.toByteArray();
    return hmacSha256Hex(m_key, message);
}

SignedUrl UrlSigner::sign(const QString &fileName, int lifetimeSeconds) const
{
    SignedUrl signedUrl;
    // The URL is good through the whole second `expires`, so it lives at least
    // lifetimeSeconds; clients should count from expires_in, not from this value.
    signedUrl.expiresAtSeconds = QDateTime::currentSecsSinceEpoch() + lifetimeSeconds;
    signedUrl.expiresInSeconds = lifetimeSeconds;
    const QByteArray expires = QByteArray::number(signedUrl.expiresAtSeconds);
    // A nonce makes every issued URL distinct, even two within the same second.
    const QByteArray nonce = randomBytes(6).toHex();
    signedUrl.url = m_baseUrl + u"/media/"_s
                    + QString::fromLatin1(QUrl::toPercentEncoding(fileName)) + u"?expires="_s
                    + QString::fromLatin1(expires) + u"&nonce="_s + QString::fromLatin1(nonce) + u"&sig="_s
                    + QString::fromLatin1(signature(fileName, expires, nonce));
    return signedUrl;
}

SignatureCheck UrlSigner::verify(const QString &fileName, const QUrlQuery &query) const
{
    const QByteArray expires = query.queryItemValue(u"expires"_s).toLatin1();
    const QByteArray nonce = query.queryItemValue(u"nonce"_s).toLatin1();
    const QByteArray given = query.queryItemValue(u"sig"_s).toLatin1().toLower();
    if (expires.isEmpty() || given.isEmpty()
        || !constantTimeEquals(signature(fileName, expires, nonce), given))
        return SignatureCheck::Invalid;
    bool ok = false;
    const qint64 expiresAt = expires.toLongLong(&ok);
    if (!ok || QDateTime::currentSecsSinceEpoch() > expiresAt)
        return SignatureCheck::Expired;
    return SignatureCheck::Valid;
}

} // namespace earshot::refserver
