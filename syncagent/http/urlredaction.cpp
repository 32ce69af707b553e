#include "http/urlredaction.h"

using namespace Qt::StringLiterals;

namespace earshot::http {

QString redactedUrl(const QUrl &url)
{
    if (!url.isValid())
        return u"(invalid URL)"_s;
    const QString visible = url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)
                                .toString(QUrl::FullyEncoded);
    return url.hasQuery() ? visible + u"?[redacted]"_s : visible;
}

} // namespace earshot::http
