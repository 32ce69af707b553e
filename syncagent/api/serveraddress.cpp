#include "api/serveraddress.h"

#include "http/urlpolicy.h"

using namespace Qt::StringLiterals;

namespace earshot {

Expected<ServerAddress> ServerAddress::parse(const QString &text)
{
    const QUrl url = QUrl(text.trimmed(), QUrl::StrictMode).adjusted(QUrl::StripTrailingSlash | QUrl::NormalizePathSegments);
    const bool hasScheme = text.trimmed().contains("://"_L1);
    if (!hasScheme || !url.isValid() || url.host().isEmpty())
        return Expected<ServerAddress>::failure(
            u"\"%1\" is not a server address; write it like https://earshot.example.com"_s.arg(text));
    if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return Expected<ServerAddress>::failure(
            u"the server address must not contain a query, a fragment or a user name: %1"_s.arg(url.host()));
    if (Status allowed = http::checkTransferUrl(url); !allowed)
        return Expected<ServerAddress>::failure(u"cannot use server address: "_s + allowed.error());
    // https://host:443 and https://host are one server, with one saved session.
    QUrl canonical = url;
    if ((url.scheme() == "https"_L1 && url.port() == 443) || (url.scheme() == "http"_L1 && url.port() == 80))
        canonical.setPort(-1);
    return ServerAddress(canonical);
}

QString ServerAddress::origin() const
{
    return m_base.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo)
        .toString(QUrl::FullyEncoded);
}

QUrl ServerAddress::endpoint(QStringView path, const QUrlQuery &query) const
{
    QUrl url = m_base;
    url.setPath(m_base.path() + path.toString());
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

QUrl ServerAddress::callEndpoint(const QString &callId, QStringView suffix) const
{
    // Every reserved character and the dot are encoded, so an identifier such as "../x"
    // or "a/b" stays one segment and libcurl's dot-segment removal cannot act on it.
    const QByteArray segment = QUrl::toPercentEncoding(callId, {}, "."_ba);
    const QByteArray encoded = m_base.toEncoded() + "/api/calls/" + segment + suffix.toUtf8();
    return QUrl::fromEncoded(encoded, QUrl::StrictMode);
}

} // namespace earshot
