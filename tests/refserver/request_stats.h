// Counters behind GET /__admin/stats, so tests and benchmarks can see what clients did
// (how many pages, how many media bytes) without parsing logs.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QStringList>

namespace earshot::refserver {

class RequestStats
{
public:
    void countRequest(const QByteArray &routeKey) { ++m_requests[routeKey]; }
    void addCallRows(qint64 rows) { m_callRowsServed += rows; }
    void addMediaBytes(qint64 bytes) { m_mediaBytesServed += bytes; }
    void countInjectedError() { ++m_injectedErrors; }
    void countDroppedBody() { ++m_droppedBodies; }
    // The calls whose recording links were handed out, in order (the first 10,000): tests
    // see in which order a client fetches recordings.
    void noteRecordingLink(const QString &callId)
    {
        if (m_recordingLinks.size() < 10'000)
            m_recordingLinks.append(callId);
    }

    void reset();
    QJsonObject toJson() const;

private:
    QMap<QByteArray, qint64> m_requests;
    qint64 m_callRowsServed = 0;
    qint64 m_mediaBytesServed = 0;
    qint64 m_injectedErrors = 0;
    qint64 m_droppedBodies = 0;
    QStringList m_recordingLinks;
};

} // namespace earshot::refserver
