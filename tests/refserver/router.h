// Registers the server's routes on QHttpServer and runs every request through the same
// steps: count it, delay it (--latency-ms), maybe fail it (--error-rate), authenticate it,
// then hand it to its handler.
#pragma once

#include "api_request.h"
#include "http_reply.h"

#include <QtHttpServer/QHttpServer>

#include <functional>
#include <memory>

namespace earshot::refserver {

class AuthService;
class FaultInjector;
class RequestStats;

enum class RouteAccess {
    Public,        // no token (login, refresh, signed media URLs)
    Authenticated, // bearer token required; ApiRequest::user is set
    Admin,         // test-only /__admin: no token, no faults, not counted
};

class Router
{
public:
    using Handler = std::function<void(ApiRequest &request, HttpReply &reply)>;

    Router(QHttpServer &server, AuthService &auth, FaultInjector &faults, RequestStats &stats);

    // pattern uses QHttpServer's syntax, at most one "<arg>" (a path segment).
    void add(QHttpServerRequest::Method method, const QString &pattern, RouteAccess access,
             Handler handler);

    // The one route a WebSocket upgrade may use: the handshake is left to QHttpServer's
    // WebSocket support and the handler runs only for plain (SSE) requests.
    void addEventStream(const QString &pattern, Handler handler);

private:
    struct Route
    {
        QByteArray key; // "GET /api/calls/{id}", for stats and logs
        RouteAccess access;
        bool faultable;   // /api/ except login
        bool acceptsUpgrade;
        Handler handler;
    };

    void registerRoute(QHttpServerRequest::Method method, const QString &pattern,
                       std::shared_ptr<const Route> route);
    void dispatch(const std::shared_ptr<const Route> &route, const QHttpServerRequest &request,
                  const QString &arg, QHttpServerResponder &&responder);
    void run(const Route &route, ApiRequest &request, QTcpSocket *socket);

    QHttpServer &m_server;
    AuthService &m_auth;
    FaultInjector &m_faults;
    RequestStats &m_stats;
};

} // namespace earshot::refserver
