// One function per group of endpoints; server_app.cpp calls them in order.
#pragma once

namespace earshot::refserver {

class Router;
struct ServerContext;

void registerAuthRoutes(Router &router, ServerContext &context);      // /api/auth/*, /api/me
void registerCallRoutes(Router &router, ServerContext &context);      // /api/calls, /api/calls/{id}
void registerRecordingRoutes(Router &router, ServerContext &context); // /api/calls/{id}/recording*
void registerMediaRoutes(Router &router, ServerContext &context);     // /media/{file} (signed)
void registerAuditRoutes(Router &router, ServerContext &context);     // /api/audit/*, downloads
void registerEventRoutes(Router &router, ServerContext &context);     // /api/events
void registerAdminRoutes(Router &router, ServerContext &context);     // /__admin/* (test-only)

} // namespace earshot::refserver
