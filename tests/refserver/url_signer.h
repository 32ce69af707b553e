// Signed, expiring media URLs: http://HOST:PORT/media/FILE?expires=UNIX&nonce=N&sig=HMAC.
// The HMAC-SHA256 key lives in the database, so URLs stay valid across restarts.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QUrlQuery>

namespace earshot::refserver {

struct SignedUrl
{
    QString url;
    qint64 expiresAtSeconds = 0; // Unix time
    int expiresInSeconds = 0;
};

enum class SignatureCheck { Valid, Invalid, Expired };

class UrlSigner
{
public:
    UrlSigner(QByteArray key, QString baseUrl);

    // fileName is "RECORDING_ID.FORMAT".
    SignedUrl sign(const QString &fileName, int lifetimeSeconds) const;
    SignatureCheck verify(const QString &fileName, const QUrlQuery &query) const;

    static QString mediaFileName(const QString &recordingId, const QString &format);

private:
    QByteArray signature(const QString &fileName, QByteArrayView expires, QByteArrayView nonce) const;

    QByteArray m_key;
    QString m_baseUrl;
};

} // namespace earshot::refserver
