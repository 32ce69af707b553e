#include "transfer/recordinglinks.h"

#include "api/serverapi.h"
#include "http/httptransport.h"

namespace earshot {

OwnClientLinks::OwnClientLinks(std::unique_ptr<http::HttpTransport> transport, const ServerAddress &server,
                               std::shared_ptr<SharedSession> session, const std::atomic<bool> *stopRequested)
    : m_transport(std::move(transport))
    , m_api(std::make_unique<ServerApi>(*m_transport, server, RetryPolicy(), stopRequested))
    , m_links(*m_api)
{
    m_api->useSharedSession(std::move(session));
}

OwnClientLinks::~OwnClientLinks() = default;

SyncResult<RecordingLink> ServerApiLinks::link(const QString &callId)
{
    return m_api.recordingLink(callId);
}

SyncResult<RecordingLink> ServerApiLinks::refreshedLink(const QString &callId)
{
    return m_api.refreshRecordingLink(callId);
}

SyncResult<RecordingAvailability> ServerApiLinks::availability(const QString &callId)
{
    return m_api.recordingAvailability(callId);
}

} // namespace earshot
