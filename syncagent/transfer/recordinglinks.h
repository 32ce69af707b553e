#pragma once

#include "api/apitypes.h"
#include "syncerror.h"

namespace earshot {

class ServerApi;

// Where the engine gets signed recording URLs. The agent's is the server API; the
// interface keeps the engine free of the API client's session and retry handling.
// Called on the engine's thread; calls may block briefly.
class RecordingLinks
{
public:
    virtual ~RecordingLinks() = default;
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

} // namespace earshot
