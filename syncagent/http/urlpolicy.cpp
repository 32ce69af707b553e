#include "http/urlpolicy.h"

#include "http/urlredaction.h"

#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace earshot::http {

bool isLoopbackHost(const QString &host)
{
    if (host.compare("localhost"_L1, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

Status checkTransferUrl(const QUrl &url)
{
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return Status::failure(u"\"%1\" is not an absolute http(s) address"_s.arg(redactedUrl(url)));
    const QString scheme = url.scheme().toLower();
    if (scheme == "https"_L1)
        return Status::ok();
    if (scheme != "http"_L1)
        return Status::failure(u"refusing %1: only http and https are allowed"_s.arg(redactedUrl(url)));
    if (!isLoopbackHost(url.host()))
        return Status::failure(u"refusing plain http to %1: use https (plain http is allowed only to this "
                               "computer, e.g. http://127.0.0.1)"_s.arg(url.host()));
    return Status::ok();
}

Status checkRedirect(const QUrl &from, const QUrl &to)
{
    if (Status allowed = checkTransferUrl(to); !allowed)
        return allowed;
    if (from.scheme().compare("https"_L1, Qt::CaseInsensitive) == 0
        && to.scheme().compare("https"_L1, Qt::CaseInsensitive) != 0)
        return Status::failure(u"refusing the redirect from %1 to %2: from https to plain http"_s.arg(
            redactedUrl(from), redactedUrl(to)));
    return Status::ok();
}

} // namespace earshot::http
