// POST /api/auth/login, POST /api/auth/refresh, GET /api/me.
#include "auth_service.h"
#include "route_helpers.h"
#include "router.h"
#include "routes.h"
#include "server_context.h"

using namespace Qt::StringLiterals;

namespace earshot::refserver {

void registerAuthRoutes(Router &router, ServerContext &context)
{
    AuthService &auth = context.auth;

    router.add(QHttpServerRequest::Method::Post, u"/api/auth/login"_s, RouteAccess::Public,
               [&auth](ApiRequest &request, HttpReply &reply) {
                   const auto body = jsonObjectBody(request, reply);
                   if (!body)
                       return;
                   const QJsonValue email = body->value("email"_L1);
                   const QJsonValue password = body->value("password"_L1);
                   if (!email.isString() || !password.isString()) {
                       reply.sendError(400, "invalid_request"_L1, u"Send {\"email\", \"password\"}."_s);
                       return;
                   }
                   const auto tokens = auth.login(email.toString(), password.toString());
                   if (!tokens) {
                       reply.sendError(401, "invalid_credentials"_L1, u"Wrong email or password."_s);
                       return;
                   }
                   reply.sendJson(200, QJsonDocument(AuthService::tokensJson(*tokens)));
               });

    router.add(QHttpServerRequest::Method::Post, u"/api/auth/refresh"_s, RouteAccess::Public,
               [&auth](ApiRequest &request, HttpReply &reply) {
                   const auto body = jsonObjectBody(request, reply);
                   if (!body)
                       return;
                   const QJsonValue refreshToken = body->value("refresh_token"_L1);
                   if (!refreshToken.isString()) {
                       reply.sendError(400, "invalid_request"_L1, u"Send {\"refresh_token\"}."_s);
                       return;
                   }
                   const auto tokens = auth.refresh(refreshToken.toString());
                   if (!tokens) {
                       reply.sendError(401, "invalid_refresh_token"_L1,
                                       u"The refresh token is unknown, used or expired; log in again."_s);
                       return;
                   }
                   reply.sendJson(200, QJsonDocument(AuthService::tokensJson(*tokens)));
               });

    router.add(QHttpServerRequest::Method::Get, u"/api/me"_s, RouteAccess::Authenticated,
               [](ApiRequest &request, HttpReply &reply) {
                   reply.sendJson(200, QJsonDocument(AuthService::userJson(*request.user)));
               });
}

} // namespace earshot::refserver
