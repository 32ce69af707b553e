#pragma once

#include "expected.h"

#include <QLockFile>

#include <memory>

namespace earshot {

// One agent per data folder. QLockFile records the owner's PID and takes over a lock
// whose owner died (kill -9, power cut), so a crash never blocks the next start.
class AgentInstanceLock
{
public:
    static Expected<std::unique_ptr<AgentInstanceLock>> acquire(const QString &dataDir);
    ~AgentInstanceLock();
    Q_DISABLE_COPY_MOVE(AgentInstanceLock)

private:
    explicit AgentInstanceLock(const QString &path);
    QLockFile m_lock;
};

} // namespace earshot
