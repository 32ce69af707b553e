#include "session/storesession.h"

#include "applogging.h"
#include "datadirectory.h"
#include "models/calltablemodel.h"
#include "store/callquery.h"
#include "store/database.h"
#include "store/storechangewatcher.h"
#include "store/syncstate.h"

using namespace Qt::StringLiterals;

namespace earshot {

Expected<std::unique_ptr<StoreSession>> StoreSession::open(const QString &dataDir)
{
    using Result = Expected<std::unique_ptr<StoreSession>>;
    auto database = Database::open(DataDirectory::databasePath(dataDir));
    if (!database)
        return Result::failure(database.error());
    return Result(std::make_unique<StoreSession>(dataDir, std::move(database).value()));
}

StoreSession::StoreSession(QString dataDir, std::unique_ptr<Database> database, QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_database(std::move(database))
    , m_watcher(new StoreChangeWatcher(m_database->connection(), this))
{
    // Watching starts before the first read, so a commit in between is never missed.
    connect(m_watcher, &StoreChangeWatcher::changed, this, &StoreSession::onStoreChanged);
    m_watcher->start();
    m_callModel = new CallTableModel(m_database->connection(), this);
    m_filterChoices = readFilterChoices();
    m_syncStatus = readSyncStatus();
}

// The children that use the connection go before the Database that owns it.
StoreSession::~StoreSession()
{
    delete m_watcher;
    delete m_callModel;
}

QSqlDatabase StoreSession::connection() const
{
    return m_database->connection();
}

QString StoreSession::cacheDirectory() const
{
    return DataDirectory::cacheDirectory(m_dataDir);
}

void StoreSession::setWatchInterval(std::chrono::milliseconds interval)
{
    m_watcher->setInterval(interval);
}

void StoreSession::checkForChanges()
{
    m_watcher->checkNow();
}

void StoreSession::onStoreChanged()
{
    qCDebug(lcApp) << "the store changed; refreshing";
    m_callModel->refresh();
    if (FilterChoices choices = readFilterChoices(); !(choices == m_filterChoices)) {
        m_filterChoices = std::move(choices);
        Q_EMIT filterChoicesChanged(m_filterChoices);
    }
    if (SyncStatus status = readSyncStatus(); status != m_syncStatus) {
        m_syncStatus = std::move(status);
        Q_EMIT syncStatusChanged(m_syncStatus);
    }
    Q_EMIT storeChanged();
}

FilterChoices StoreSession::readFilterChoices() const
{
    return FilterChoices::load(CallQuery(m_database->connection()));
}

SyncStatus StoreSession::readSyncStatus() const
{
    const SyncState state(m_database->connection());
    return {state.callsCompletedAt(), state.value(SyncState::kLastSyncError)};
}

} // namespace earshot
