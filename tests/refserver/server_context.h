// The services one server instance is made of, handed to each group of routes.
#pragma once

#include "fixture_manifest.h"

#include <QtCore/QList>
#include <QtCore/QString>

namespace earshot::refserver {

class AuditStore;
class AuthService;
class CallGenerator;
class CallStore;
class EventHub;
class FaultInjector;
class RequestStats;
class SecureLinkSigner;
class UrlSigner;

struct ServerContext
{
    AuthService &auth;
    CallStore &calls;
    UrlSigner &signer;                    // this server's own /media URLs
    const SecureLinkSigner *secureLinks;  // nginx URLs instead, when --media-base-url is set
    FaultInjector &faults;
    RequestStats &stats;
    AuditStore &audit;
    EventHub &events;
    CallGenerator &generator; // new calls for the admin API
    QString recordingsDir;
    QList<FixtureClip> clips;
};

} // namespace earshot::refserver
