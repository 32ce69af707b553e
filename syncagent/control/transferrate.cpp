#include "control/transferrate.h"

namespace earshot {

qint64 TransferRate::sample(const QList<TransferSnapshot> &underway)
{
    QHash<QString, qint64> received;
    qint64 moved = 0;
    for (const TransferSnapshot &transfer : underway) {
        received.insert(transfer.recordingId, transfer.bytesReceived);
        moved += std::max<qint64>(0, transfer.bytesReceived - m_received.value(transfer.recordingId, 0));
    }
    const qint64 elapsedMs = m_clock.isValid() ? m_clock.restart() : (m_clock.start(), 0);
    m_received = std::move(received);
    m_rate = elapsedMs > 0 ? moved * 1000 / elapsedMs : 0;
    return m_rate;
}

} // namespace earshot
