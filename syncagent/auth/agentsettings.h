#pragma once

#include "expected.h"

#include <QString>

namespace earshot {

// The agent's non-secret settings in <data dir>/agent.ini: the server it signed in to,
// so that later runs may omit --server. Secrets never go here (see SessionVault).
class AgentSettings
{
public:
    explicit AgentSettings(const QString &dataDir);

    QString serverUrl() const;
    Status setServerUrl(const QString &url);

    const QString &filePath() const { return m_path; }

private:
    QString m_path;
};

} // namespace earshot
