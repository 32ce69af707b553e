#pragma once

#include "api/apitypes.h"
#include "syncerror.h"

#include <QStringList>

#include <atomic>
#include <memory>

namespace earshot {

class ServerAddress;
class ServerApi;
class SharedSession;
namespace http {
class HttpTransport;
}

// Where the engine gets signed recording URLs. The agent's is the server API; the
// interface keeps the engine free of the API client's session and retry handling.
// Called on the engine's thread; calls may block briefly.
class RecordingLinks
{
public:
    virtual ~RecordingLinks() = default;
    // The calls whose first link() comes next, soonest first (replacing the last hint):
    // an implementation may fetch them ahead, elsewhere. Nothing by default.
    virtual void prefetch(const QStringList &callIds) { Q_UNUSED(callIds); }
    virtual SyncResult<RecordingLink> link(const QString &callId) = 0;
    virtual SyncResult<RecordingLink> refreshedLink(const QString &callId) = 0;
    virtual SyncResult<RecordingAvailability> availability(const QString &callId) = 0;
};

class ServerApiLinks final : public RecordingLinks
{
public:
    explicit ServerApiLinks(ServerApi &api) : m_api(api) {}

    SyncResult<RecordingLink> link(const QString &callId) override;
    SyncResult<RecordingLink> refreshedLink(const QString &callId) override;
    SyncResult<RecordingAvailability> availability(const QString &callId) override;

private:
    ServerApi &m_api;
};

// ServerApiLinks with a client of its own, for another thread; it shares the agent's
// session (and its refreshes) with the other clients.
class OwnClientLinks final : public RecordingLinks
{
public:
    OwnClientLinks(std::unique_ptr<http::HttpTransport> transport, const ServerAddress &server,
                   std::shared_ptr<SharedSession> session, const std::atomic<bool> *stopRequested);
    ~OwnClientLinks() override;

    SyncResult<RecordingLink> link(const QString &callId) override { return m_links.link(callId); }
    SyncResult<RecordingLink> refreshedLink(const QString &callId) override { return m_links.refreshedLink(callId); }
    SyncResult<RecordingAvailability> availability(const QString &callId) override
    {
        return m_links.availability(callId);
    }

private:
    std::unique_ptr<http::HttpTransport> m_transport;
    std::unique_ptr<ServerApi> m_api;
    ServerApiLinks m_links;
};

} // namespace earshot
