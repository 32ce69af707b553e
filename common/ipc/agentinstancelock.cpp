#include "ipc/agentinstancelock.h"

#include "datadirectory.h"
#include "ipc/ipcprotocol.h"

using namespace Qt::StringLiterals;

namespace earshot {

AgentInstanceLock::AgentInstanceLock(const QString &path)
    : m_lock(path)
{
    // Never stale by age: a long-running agent keeps its lock; a dead one is detected by PID.
    m_lock.setStaleLockTime(0);
}

AgentInstanceLock::~AgentInstanceLock()
{
    m_lock.unlock();
}

Expected<std::unique_ptr<AgentInstanceLock>> AgentInstanceLock::acquire(const QString &dataDir)
{
    using Result = Expected<std::unique_ptr<AgentInstanceLock>>;
    if (Status created = DataDirectory::create(dataDir); !created)
        return Result::failure(created.error());
    std::unique_ptr<AgentInstanceLock> lock(new AgentInstanceLock(ipc::lockFilePathFor(dataDir)));
    if (lock->m_lock.tryLock(0))
        return Result(std::move(lock));
    qint64 pid = 0;
    QString host, application;
    if (lock->m_lock.error() == QLockFile::LockFailedError && lock->m_lock.getLockInfo(&pid, &host, &application))
        return Result::failure(u"another earshot-sync (process %1) is already running for %2; stop it first, or "
                               "use another data folder"_s.arg(pid).arg(dataDir));
    return Result::failure(u"cannot lock the data folder %1 (is it read-only?)"_s.arg(dataDir));
}

} // namespace earshot
