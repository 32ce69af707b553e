#include "router.h"

#include "auth_service.h"
#include "faults.h"
#include "logging.h"
#include "request_stats.h"

#include <QtCore/QTimer>
#include <QtHttpServer/QHttpServerResponder>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get: return "GET"_ba;
    case QHttpServerRequest::Method::Post: return "POST"_ba;
    case QHttpServerRequest::Method::Put: return "PUT"_ba;
    case QHttpServerRequest::Method::Delete: return "DELETE"_ba;
    case QHttpServerRequest::Method::Head: return "HEAD"_ba;
    case QHttpServerRequest::Method::Patch: return "PATCH"_ba;
    case QHttpServerRequest::Method::Options: return "OPTIONS"_ba;
    default: return "OTHER"_ba;
    }
}

ApiRequest capture(const QHttpServerRequest &request, const QString &arg)
{
    ApiRequest api;
    api.method = request.method();
    api.path = request.url().path();
    api.query = request.query();
    api.body = request.body();
    const auto headers = request.headers();
    api.headers.reserve(headers.size());
    for (const auto &[name, value] : headers)
        api.headers.append({name.toLower(), value});
    api.arg = arg;
    return api;
}

bool wantsClose(const ApiRequest &request)
{
    return request.header("connection").toLower().contains("close");
}

bool isWebSocketUpgrade(const ApiRequest &request)
{
    return request.header("upgrade").toLower() == "websocket";
}

// RFC 6750 §3: a 401 names the scheme and, for a token that was sent, why it failed.
void replyUnauthorized(HttpReply &reply, TokenCheck check)
{
    switch (check) {
    case TokenCheck::Missing:
        reply.sendError(401, "missing_token"_L1, u"Send Authorization: Bearer ACCESS_TOKEN."_s,
                        {{"WWW-Authenticate"_ba, "Bearer realm=\"earshot\""_ba}});
        return;
    case TokenCheck::Expired:
        reply.sendError(401, "token_expired"_L1, u"The access token has expired; refresh it."_s,
                        {{"WWW-Authenticate"_ba, "Bearer realm=\"earshot\", error=\"invalid_token\", "
                                                 "error_description=\"expired\""_ba}});
        return;
    default:
        reply.sendError(401, "invalid_token"_L1, u"The access token is not valid."_s,
                        {{"WWW-Authenticate"_ba, "Bearer realm=\"earshot\", error=\"invalid_token\""_ba}});
        return;
    }
}

} // namespace

Router::Router(QHttpServer &server, AuthService &auth, FaultInjector &faults, RequestStats &stats)
    : m_server(server), m_auth(auth), m_faults(faults), m_stats(stats)
{
    m_server.setMissingHandler([](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        HttpReply reply(responder.socket(), false, methodName(request.method()) + ' '
                                                       + request.url().path().toUtf8());
        reply.sendError(404, "not_found"_L1,
                        u"No such endpoint: %1 %2"_s.arg(QString::fromLatin1(methodName(request.method())),
                                                         request.url().path()));
    });
}

void Router::add(QHttpServerRequest::Method method, const QString &pattern, RouteAccess access,
                 Handler handler)
{
    QString keyPath = pattern;
    keyPath.replace(u"<arg>"_s, u"{id}"_s);
    const bool faultable = access != RouteAccess::Admin && pattern.startsWith(u"/api/"_s)
                           && pattern != "/api/auth/login"_L1;
    registerRoute(method, pattern,
                  std::make_shared<const Route>(Route{methodName(method) + ' ' + keyPath.toUtf8(), access,
                                                      faultable, false, std::move(handler)}));
}

void Router::addEventStream(const QString &pattern, Handler handler)
{
    registerRoute(QHttpServerRequest::Method::Get, pattern,
                  std::make_shared<const Route>(Route{"GET " + pattern.toUtf8(), RouteAccess::Authenticated,
                                                      true, true, std::move(handler)}));
}

void Router::registerRoute(QHttpServerRequest::Method method, const QString &pattern,
                           std::shared_ptr<const Route> route)
{
    bool ok = false;
    if (pattern.contains(u"<arg>"_s)) {
        ok = m_server.route(pattern, method,
                            [this, route](const QString &arg, const QHttpServerRequest &request,
                                          QHttpServerResponder &&responder) {
                                dispatch(route, request, arg, std::move(responder));
                            });
    } else {
        ok = m_server.route(pattern, method,
                            [this, route](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                                dispatch(route, request, QString(), std::move(responder));
                            });
    }
    if (!ok)
        qCCritical(lcRefServer).noquote() << "cannot register route" << route->key;
}

void Router::dispatch(const std::shared_ptr<const Route> &route, const QHttpServerRequest &request,
                      const QString &arg, QHttpServerResponder &&responder)
{
    ApiRequest api = capture(request, arg);
    QPointer<QTcpSocket> socket = responder.socket();
    if (route->access != RouteAccess::Admin)
        m_stats.countRequest(route->key);

    if (isWebSocketUpgrade(api)) {
        // QHttpServer hands the connection to its WebSocket server after this returns; the
        // route must not write anything. Other routes refuse the upgrade.
        if (!route->acceptsUpgrade) {
            HttpReply(socket, true, route->key)
                .sendError(400, "upgrade_not_supported"_L1, u"Only /api/events accepts WebSocket."_s);
        }
        return;
    }

    const int latencyMs = route->access == RouteAccess::Admin ? 0 : m_faults.settings().latencyMs;
    if (latencyMs <= 0) {
        run(*route, api, socket);
        return;
    }
    QTimer::singleShot(latencyMs, socket, [this, route, api, socket]() mutable {
        if (socket)
            run(*route, api, socket);
    });
}

void Router::run(const Route &route, ApiRequest &request, QTcpSocket *socket)
{
    HttpReply reply(socket, wantsClose(request), route.key);
    if (route.faultable && m_faults.shouldInjectError()) {
        m_stats.countInjectedError();
        reply.sendError(503, "service_unavailable"_L1, u"Injected fault: try again shortly."_s,
                        {{"Retry-After"_ba, "1"_ba}});
        return;
    }
    if (route.access == RouteAccess::Authenticated) {
        AuthUser user;
        const TokenCheck check = m_auth.authenticate(request.header("authorization"), &user);
        if (check != TokenCheck::Ok) {
            replyUnauthorized(reply, check);
            return;
        }
        request.user = user;
    }
    route.handler(request, reply);
}

} // namespace earshot::refserver
