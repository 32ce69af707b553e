#include "transfer/transferbackoff.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>

namespace earshot::transferbackoff {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 delayMs(std::chrono::seconds first, std::chrono::seconds cap, int previous)
{
    const auto grown = std::min<std::chrono::seconds>(first * (1LL << std::clamp(previous, 0, 16)), cap);
    const qint64 base = std::chrono::duration_cast<std::chrono::milliseconds>(grown).count();
    return base + QRandomGenerator::global()->bounded(base / 4 + 1);
}

} // namespace earshot::transferbackoff
