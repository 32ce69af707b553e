// The server-wide clock that stamps updated_at. Every change gets max(now, last + 1 ms),
// so a change can never sort before a cursor already handed out, even if the wall clock
// steps back or two changes land in the same millisecond.
#pragma once

#include <QtCore/QtGlobal>

namespace earshot::refserver {

class UpdateClock
{
public:
    // Continue after a value already stored (the newest updated_at in the database).
    void observe(qint64 stampMs);
    qint64 next();

private:
    qint64 m_lastMs = 0;
};

} // namespace earshot::refserver
