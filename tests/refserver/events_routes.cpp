// GET /api/events: Server-Sent Events, or a WebSocket when the request asks to upgrade.
#include "event_hub.h"
#include "router.h"
#include "routes.h"
#include "server_context.h"

using namespace Qt::StringLiterals;

namespace earshot::refserver {

void registerEventRoutes(Router &router, ServerContext &context)
{
    router.addEventStream(u"/api/events"_s, [&context](ApiRequest &request, HttpReply &reply) {
        context.events.subscribe(reply, request.user->callScope());
    });
}

} // namespace earshot::refserver
