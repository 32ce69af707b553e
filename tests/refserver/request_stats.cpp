#include "request_stats.h"

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
    };
}

} // namespace earshot::refserver
