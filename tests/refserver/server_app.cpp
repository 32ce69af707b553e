#include "server_app.h"

#include "audit_store.h"
#include "auth_service.h"
#include "call_generator.h"
#include "call_store.h"
#include "crypto_util.h"
#include "database.h"
#include "demo_names.h"
#include "demo_seeder.h"
#include "event_hub.h"
#include "faults.h"
#include "fixture_manifest.h"
#include "logging.h"
#include "request_stats.h"
#include "router.h"
#include "routes.h"
#include "secure_link_signer.h"
#include "server_context.h"
#include "update_clock.h"
#include "url_signer.h"

#include <QtCore/QDir>
#include <QtHttpServer/QHttpServer>

#include <optional>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

struct ServerApp::Parts
{
    Database db;
    UpdateClock clock;
    QList<FixtureClip> clips;
    std::optional<AuthService> auth;
    std::optional<CallStore> calls;
    std::optional<UrlSigner> signer;
    std::optional<SecureLinkSigner> secureLinks;
    std::optional<FaultInjector> faults;
    RequestStats stats;
    std::optional<AuditStore> audit;
    std::unique_ptr<EventHub> events;
    std::optional<CallGenerator> generator;
    std::optional<ServerContext> context;
    QHttpServer http;
    std::optional<Router> router;
};

ServerApp::ServerApp(ServerOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_parts(std::make_unique<Parts>())
{
}

ServerApp::~ServerApp() = default;

QUrl ServerApp::baseUrl() const
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(m_options.listenAddress.toString());
    url.setPort(m_port);
    return url;
}

bool ServerApp::openDatabase(QString *error)
{
    if (!QDir().mkpath(m_options.dataDir)) {
        *error = u"cannot create the data dir %1"_s.arg(m_options.dataDir);
        return false;
    }
    Parts &p = *m_parts;
    if (!p.db.open(QDir(m_options.dataDir).filePath(u"refserver.sqlite"_s), error))
        return false;
    if (seedingWasInterrupted(p.db)) {
        *error = u"%1 holds an interrupted seed; delete the directory and start again"_s.arg(m_options.dataDir);
        return false;
    }
    if (!seedOrganization(p.db, m_options.seed)) {
        *error = u"cannot seed the organization"_s;
        return false;
    }

    // The clips are needed to seed recordings and for calls made through the admin API;
    // a server restarted on a seeded database can run without them until media is fetched.
    ManifestResult manifest = loadFixtureManifest(m_options.recordingsDir);
    const bool mustSeed = m_options.callCount > 0 && !databaseHasCalls(p.db);
    const RecordingPlan plan = m_options.noRecordings         ? RecordingPlan::None
                               : m_options.oneRecordingPerFile
                                   ? (m_options.withoutSha256 ? RecordingPlan::OnePerFileWithoutHash : RecordingPlan::OnePerFile)
                                                               : RecordingPlan::DemoMix;
    if (manifest.clips.isEmpty()) {
        if (mustSeed && plan != RecordingPlan::None) {
            *error = manifest.error;
            return false;
        }
        qCWarning(lcRefServer).noquote() << manifest.error;
    }
    p.clips = manifest.clips;
    if (mustSeed && !seedCalls(p.db, m_options.callCount, m_options.seed, p.clips, plan, error))
        return false;
    if (!mustSeed && m_options.callCount > 0)
        qCInfo(lcRefServer) << "the database already has calls; not seeding";

    QString signingKey = p.db.meta(u"url_signing_key"_s);
    if (signingKey.isEmpty()) {
        signingKey = QString::fromLatin1(randomBytes(32).toHex());
        p.db.setMeta(u"url_signing_key"_s, signingKey);
    }
    return true;
}

bool ServerApp::start(QString *error)
{
    if (!openDatabase(error))
        return false;
    Parts &p = *m_parts;
    p.auth.emplace(p.db, m_options.tokenLifetimeSeconds);
    p.calls.emplace(p.db, p.clock);
    p.audit.emplace(p.db);
    if (!p.auth->load() || !p.calls->prepare() || !p.audit->load()) {
        *error = u"cannot read the database"_s;
        return false;
    }
    p.faults.emplace(FaultSettings{m_options.latencyMs, m_options.errorRate, m_options.dropBodyAfter,
                                   m_options.urlLifetimeSeconds},
                     m_options.seed);
    p.events = std::make_unique<EventHub>(*p.auth);
    const qint64 leads = [&p]() {
        QSqlQuery count = p.db.prepare(u"SELECT COUNT(*) FROM leads"_s);
        return count.exec() && count.next() ? count.value(0).toLongLong() : 0;
    }();
    p.generator.emplace(m_options.seed + 1,
                        OrganizationSize{qint64(demo::agentNames.size()), qint64(demo::dialListNames.size()),
                                         std::max<qint64>(leads, 1)},
                        p.clips);

    // Listen before wiring the URL signer: with port 0 the port is known only now.
    m_port = p.http.listen(m_options.listenAddress, m_options.listenPort);
    if (m_port == 0) {
        *error = u"cannot listen on %1:%2"_s.arg(m_options.listenAddress.toString()).arg(m_options.listenPort);
        return false;
    }
    p.signer.emplace(p.db.meta(u"url_signing_key"_s).toLatin1(),
                     baseUrl().toString(QUrl::FullyEncoded | QUrl::StripTrailingSlash));
    if (!m_options.mediaBaseUrl.isEmpty())
        p.secureLinks.emplace(m_options.mediaBaseUrl, m_options.mediaSecret);
    p.context.emplace(ServerContext{*p.auth, *p.calls, *p.signer, p.secureLinks ? &*p.secureLinks : nullptr,
                                    *p.faults, p.stats, *p.audit, *p.events, *p.generator,
                                    m_options.recordingsDir, p.clips});
    connect(&p.http, &QAbstractHttpServer::newWebSocketConnection, this, [&p]() {
        while (p.http.hasPendingWebSocketConnections())
            p.events->acceptWebSocket(p.http.nextPendingWebSocketConnection().release());
    });
    registerRoutes();
    return true;
}

void ServerApp::registerRoutes()
{
    Parts &p = *m_parts;
    p.router.emplace(p.http, *p.auth, *p.faults, p.stats);
    Router &router = *p.router;
    ServerContext &context = *p.context;
    registerAuthRoutes(router, context);
    registerCallRoutes(router, context);
    registerRecordingRoutes(router, context);
    registerMediaRoutes(router, context);
    registerAuditRoutes(router, context);
    registerEventRoutes(router, context);
    if (m_options.enableAdmin)
        registerAdminRoutes(router, context);
}

} // namespace earshot::refserver
