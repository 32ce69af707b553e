#pragma once

#include "expected.h"
#include "models/filterchoices.h"

#include <QDateTime>
#include <QObject>
#include <QSqlDatabase>

#include <memory>
#include <optional>

namespace earshot {

class CallTableModel;
class Database;
class StoreChangeWatcher;

// What the status bar says about the sync agent's work.
struct SyncStatus
{
    std::optional<QDateTime> callsCompletedAt; // UTC; empty until a pass reached the end
    QString lastError;                          // the agent's last sync problem, if any

    friend bool operator==(const SyncStatus &, const SyncStatus &) = default;
};

// The app's window on the local store, which the sync agent writes from another process:
// one connection, the call list model over it, the filter choices and the sync status,
// all brought up to date whenever the agent commits. Knows nothing of widgets.
class StoreSession : public QObject
{
    Q_OBJECT

public:
    // Opens the store in `dataDir` (creating an empty one if the agent has not yet).
    static Expected<std::unique_ptr<StoreSession>> open(const QString &dataDir);

    StoreSession(QString dataDir, std::unique_ptr<Database> database, QObject *parent = nullptr);
    ~StoreSession() override;

    const QString &dataDirectory() const { return m_dataDir; }
    QString cacheDirectory() const;

    CallTableModel *callModel() const { return m_callModel; }
    // The app's connection to the store; the app only reads (the agent owns every write).
    QSqlDatabase connection() const;
    const FilterChoices &filterChoices() const { return m_filterChoices; }
    const SyncStatus &syncStatus() const { return m_syncStatus; }

    // How often to look for the agent's commits (500 ms unless set).
    void setWatchInterval(std::chrono::milliseconds interval);
    // Looks for commits now instead of at the next poll; tests and "refresh" use it.
    void checkForChanges();

Q_SIGNALS:
    void filterChoicesChanged(const earshot::FilterChoices &choices);
    void syncStatusChanged(const earshot::SyncStatus &status);
    // After everything above and the model are up to date with a commit.
    void storeChanged();

private:
    void onStoreChanged();
    FilterChoices readFilterChoices() const;
    SyncStatus readSyncStatus() const;

    QString m_dataDir;
    std::unique_ptr<Database> m_database;
    CallTableModel *m_callModel = nullptr;
    StoreChangeWatcher *m_watcher = nullptr;
    FilterChoices m_filterChoices;
    SyncStatus m_syncStatus;
};

} // namespace earshot
