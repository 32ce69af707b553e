#include "request_stats.h"

#include <QtCore/QJsonArray>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

void RequestStats::reset()
{
    *this = RequestStats();
}

QJsonObject RequestStats::toJson() const
{
    QJsonObject requests;
    for (auto it = m_requests.cbegin(); it != m_requests.cend(); ++it)
        requests.insert(QString::fromLatin1(it.key()), it.value());
    return {
        {u"requests"_s, requests},
        {u"call_rows_served"_s, m_callRowsServed},
        {u"media_bytes_served"_s, m_mediaBytesServed},
        {u"injected_errors"_s, m_injectedErrors},
        {u"dropped_bodies"_s, m_droppedBodies},
        {u"recording_links"_s, QJsonArray::fromStringList(m_recordingLinks)},
    };
}

} // namespace earshot::refserver
