// Blocking HTTP for tests: QNetworkAccessManager driven by a local QEventLoop, with a
// timeout. Redirects are not followed; bodies are collected as they arrive, so a cut-off
// response still shows what came before the cut.
#pragma once

#include "testsupport/http_result.h"

#include <QtCore/QUrl>
#include <QtNetwork/QNetworkAccessManager>

namespace earshot::testsupport {

class SyncHttp
{
public:
    HttpResult request(const QByteArray &method, const QUrl &url, const HttpHeaders &headers = {},
                       const QByteArray &body = {}, int timeoutMs = 30'000);

    QNetworkAccessManager &manager() { return m_manager; }

private:
    QNetworkAccessManager m_manager;
};

// {"Authorization", "Bearer TOKEN"}
HttpHeaders bearer(const QString &accessToken);

} // namespace earshot::testsupport
