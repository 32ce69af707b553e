// GET /api/calls (the incremental mirror feed) and GET /api/calls/{id}.
#include "call_json.h"
#include "call_store.h"
#include "cursor.h"
#include "json_out.h"
#include "request_stats.h"
#include "route_helpers.h"
#include "router.h"
#include "routes.h"
#include "server_context.h"

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

void listCalls(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto limit = pageLimit(request, reply);
    if (!limit)
        return;
    CallCursor after{0, QString()};
    const QByteArray cursorText = request.queryValue(u"updated_since"_s).toLatin1();
    if (!cursorText.isEmpty()) {
        const auto decoded = decodeCallCursor(cursorText);
        if (!decoded) {
            reply.sendError(400, "invalid_cursor"_L1,
                            u"updated_since is not a cursor this server handed out."_s);
            return;
        }
        after = *decoded;
    }

    const CallPage page = context.calls.page(after, *limit, request.user->callScope());
    QByteArray json;
    json.reserve(page.rowsJson.size() + 200);
    json.append(R"({"data":[)");
    json.append(page.rowsJson);
    json.append(R"(],"next_cursor":)");
    // An empty page hands back the cursor it was given, so storing it is always safe.
    json::appendString(json, QByteArrayView(encodeCallCursor(page.last)));
    json.append(page.hasMore ? R"(,"has_more":true})" : R"(,"has_more":false})");
    context.stats.addCallRows(page.rowCount);
    reply.sendJson(200, json);
}

} // namespace

void registerCallRoutes(Router &router, ServerContext &context)
{
    router.add(QHttpServerRequest::Method::Get, u"/api/calls"_s, RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) { listCalls(context, request, reply); });

    router.add(QHttpServerRequest::Method::Get, u"/api/calls/<arg>"_s, RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) {
                   const auto call = isValidIdentifier(request.arg)
                                         ? context.calls.byId(request.arg, request.user->callScope())
                                         : std::nullopt;
                   if (!call) {
                       reply.sendError(404, "call_not_found"_L1, u"No such call."_s);
                       return;
                   }
                   if (call->deleted) {
                       reply.sendError(404, "call_deleted"_L1, u"The call was deleted."_s);
                       return;
                   }
                   reply.sendJson(200, callJson(*call));
               });
}

} // namespace earshot::refserver
