// Recording URLs for files served by nginx's secure_link module, configured as
//
//     secure_link     $arg_md5,$arg_expires;
//     secure_link_md5 "$secure_link_expires$uri SECRET";
//
// so that benchmarks and tests can put a real static file server behind the API, the way
// a production backend hands out CDN or object-storage links. nginx answers 403 for a bad
// signature and 410 once expired; Range and HEAD are nginx's own.
#pragma once

#include "url_signer.h"

#include <QtCore/QByteArray>
#include <QtCore/QUrl>

namespace earshot::refserver {

class SecureLinkSigner
{
public:
    // baseUrl without a trailing slash, e.g. http://127.0.0.1:8081/media/small
    SecureLinkSigner(QUrl baseUrl, QByteArray secret);

    // BASE/FILE?md5=…&expires=…; fileName is a plain name inside the served directory.
    // Unlike the built-in URLs these carry no nonce: nginx would not check one, so two
    // URLs for one file issued within the same second are equal.
    SignedUrl sign(const QString &fileName, int lifetimeSeconds) const;

    // base64url (no padding) of MD5("EXPIRES" + uri + " " + secret), where uri is the
    // decoded path nginx sees as $uri.
    static QByteArray token(qint64 expires, const QString &uri, QByteArrayView secret);

private:
    QUrl m_baseUrl;
    QByteArray m_secret;
};

} // namespace earshot::refserver
