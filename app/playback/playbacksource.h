#pragma once

#include <QIODevice>

namespace earshot {

// A recording's bytes as the player reads them, when they can be late or bad: a cache
// file still downloading, or one that fails authentication. Such a source never hands
// the player bytes it does not have (Qt 6.4's device reader pushes whatever a short or
// failed read left in its buffer), so it reports the gap or the damage here instead and
// the engine waits for the data or shows the error.
class PlaybackSource : public QIODevice
{
    Q_OBJECT

public:
    using QIODevice::QIODevice;
    ~PlaybackSource() override;

    // True while the player has reached bytes that are not downloaded yet.
    virtual bool isWaitingForData() const = 0;
    // The decoder stopped early: if its last read ended where the download has a gap,
    // the source now waits there (and asks for those bytes) and says true.
    virtual bool waitAtGapAhead() { return false; }
    // Why the source cannot be read any further, for the person; empty while it can.
    virtual QString failure() const = 0;

Q_SIGNALS:
    // The player reached bytes from `offset` that are not there yet: ask for them first.
    void bytesWanted(qint64 offset);
    // After isWaitingForData(): enough of what was missing has arrived to go on.
    void dataArrived();
    void failed(const QString &message);
};

} // namespace earshot
