#include "testsupport/sync_http.h"

#include <QtCore/QEventLoop>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkRequest>

#include <memory>

namespace earshot::testsupport {

HttpResult SyncHttp::request(const QByteArray &method, const QUrl &url, const HttpHeaders &headers,
                             const QByteArray &body, int timeoutMs)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    bool hasContentType = false;
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
        hasContentType = hasContentType || name.compare("content-type", Qt::CaseInsensitive) == 0;
    }
    if (!body.isEmpty() && !hasContentType)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));

    // QNAM treats only its own head() as bodiless; a custom "HEAD" would wait for a body.
    std::unique_ptr<QNetworkReply> reply(method == "HEAD" ? m_manager.head(request)
                                                          : m_manager.sendCustomRequest(request, method, body));
    HttpResult result;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop,
                     [&result, &reply]() { result.body += reply->readAll(); });
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    if (!reply->isFinished()) {
        result.timedOut = true;
        reply->abort();
    }
    result.body += reply->readAll();
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.headers = reply->rawHeaderPairs();
    result.error = reply->error();
    result.errorString = reply->errorString();
    return result;
}

HttpHeaders bearer(const QString &accessToken)
{
    return {{QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + accessToken.toUtf8()}};
}

} // namespace earshot::testsupport
