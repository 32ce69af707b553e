#pragma once

#include "expected.h"

#include <QString>

namespace earshot {

// Starts earshot-sync for a data folder when none runs, detached so that it goes on
// syncing after the app closes. The agent's own lock keeps it single per data folder,
// so a launch that races another one is harmless: the second agent leaves.
class AgentLauncher
{
public:
    // The earshot-sync installed next to the running program.
    static QString defaultProgram();

    explicit AgentLauncher(QString dataDir, QString program = defaultProgram());

    const QString &program() const { return m_program; }
    // Where a launched agent writes its messages.
    QString logPath() const;
    Status launch() const;

private:
    QString m_dataDir;
    QString m_program;
};

} // namespace earshot
