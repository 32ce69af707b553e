#include "sync/metadatarunner.h"

#include "agentlogging.h"
#include "api/serverapi.h"
#include "http/curltransport.h"
#include "store/callmirror.h"
#include "store/database.h"

using namespace Qt::StringLiterals;

namespace earshot {

struct MetadataRunner::Worker
{
    std::unique_ptr<Database> store;
    std::unique_ptr<http::CurlTransport> transport;
    std::unique_ptr<ServerApi> api;
    std::unique_ptr<CallMirror> mirror;
    std::unique_ptr<CacheFolder> cache;
    std::unique_ptr<MetadataSync> metadata;
};

MetadataRunner::MetadataRunner(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{
    m_thread.setObjectName(u"metadata"_s);
    m_thread.start();
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
}

MetadataRunner::~MetadataRunner()
{
    // The connection must close on the thread that opened it.
    QMetaObject::invokeMethod(m_context, [this] { m_worker.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void MetadataRunner::run(bool withUserCheck, Done done)
{
    Q_ASSERT(!m_running);
    m_running = true;
    QMetaObject::invokeMethod(m_context, [this, withUserCheck, done = std::move(done)] {
        auto outcome = runOnWorker(withUserCheck);
        QMetaObject::invokeMethod(this, [this, done, outcome] {
            m_running = false;
            done(outcome);
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

SyncResult<MetadataSyncReport> MetadataRunner::runOnWorker(bool withUserCheck)
{
    if (!m_worker) {
        auto store = Database::open(m_settings.databasePath);
        if (!store)
            return SyncError::localStore(store.error());
        auto worker = std::make_unique<Worker>();
        worker->store = std::move(store).value();
        worker->transport = m_settings.makeTransport(m_settings.stopRequested);
        worker->api = std::make_unique<ServerApi>(*worker->transport, m_settings.server, RetryPolicy(),
                                                  m_settings.stopRequested);
        worker->api->useSharedSession(m_settings.session);
        worker->mirror = std::make_unique<CallMirror>(worker->store->connection(), m_settings.userId);
        worker->cache = std::make_unique<CacheFolder>(m_settings.cacheDirectory);
        worker->metadata = std::make_unique<MetadataSync>(*worker->api, *worker->mirror, *worker->cache,
                                                          m_settings.pageSize);
        worker->metadata->setBeforeCommitHook(m_settings.beforeCommit);
        m_worker = std::move(worker);
    }
    if (withUserCheck) {
        // Shows in the log whose view of the calls is being mirrored.
        auto user = m_worker->api->me();
        if (!user)
            return user.error();
        qCInfo(lcSync).noquote() << "signed in to" << m_settings.server.origin() << "as" << user->email
                                 << u"(%1)"_s.arg(user->role);
    }
    return m_worker->metadata->run(m_settings.stopRequested);
}

} // namespace earshot
