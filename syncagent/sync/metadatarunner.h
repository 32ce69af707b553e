#pragma once

#include "api/serveraddress.h"
#include "api/sharedsession.h"
#include "sync/metadatasync.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace earshot::http {
class CurlTransport;
}

namespace earshot {

// Runs the metadata step of a pass (GET /api/calls pages written through CallMirror) on a
// thread of its own, with its own store connection, transport and API client, so that the
// agent's thread keeps answering the control socket and feeding the transfer engine while
// a long mirror runs. The session is shared with the agent's other clients. The result
// comes back to the agent's thread through the callback.
class MetadataRunner : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        QString databasePath;
        QString cacheDirectory;
        ServerAddress server;
        std::shared_ptr<SharedSession> session;
        int pageSize = MetadataSync::kDefaultPageSize;
        const std::atomic<bool> *stopRequested = nullptr;
        // Makes the worker's transport (same TLS trust and user agent as the others).
        std::function<std::unique_ptr<http::CurlTransport>(const std::atomic<bool> *stopRequested)> makeTransport;
        MetadataSync::BeforeCommitHook beforeCommit;
        // The signed-in user, on whose behalf copies the server takes away are removed
        // (and audited).
        QString userId;
    };
    using Done = std::function<void(const SyncResult<MetadataSyncReport> &)>;

    explicit MetadataRunner(Settings settings, QObject *parent = nullptr);
    // Waits for a run under way; it ends soon once the stop flag is set.
    ~MetadataRunner() override;

    // One metadata step; withUserCheck first asks /api/me (logged once per run of the agent).
    // `done` runs on this object's thread; never while another step is under way.
    void run(bool withUserCheck, Done done);
    bool isRunning() const { return m_running; }

private:
    struct Worker; // lives and dies on the worker thread

    SyncResult<MetadataSyncReport> runOnWorker(bool withUserCheck);

    Settings m_settings;
    QThread m_thread;
    QObject *m_context = nullptr; // on the worker thread: where the work is posted
    std::unique_ptr<Worker> m_worker;
    bool m_running = false;
};

} // namespace earshot
