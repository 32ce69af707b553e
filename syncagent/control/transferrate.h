#pragma once

#include "transfer/transferengine.h"

#include <QElapsedTimer>
#include <QHash>

namespace earshot {

// Bytes per second of the downloads, from the bytes each running request received
// between two samples (a request that ended or started in between counts from zero).
class TransferRate
{
public:
    // Takes a sample; returns the rate since the previous one.
    qint64 sample(const QList<TransferSnapshot> &underway);
    qint64 lastRate() const { return m_rate; }

private:
    QHash<QString, qint64> m_received; // recording id -> bytes received at the last sample
    QElapsedTimer m_clock;
    qint64 m_rate = 0;
};

} // namespace earshot
