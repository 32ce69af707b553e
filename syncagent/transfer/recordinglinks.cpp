#include "transfer/recordinglinks.h"

#include "api/serverapi.h"

namespace earshot {

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
