#pragma once

#include "expected.h"

#include <QString>
#include <QVariant>

namespace earshot {

// The agent's non-secret settings in <data dir>/agent.ini: the server it signed in to,
// so that later runs may omit --server, and the sync settings last given (RememberedSettings).
// Secrets never go here (see SessionVault).
class AgentSettings
{
public:
    explicit AgentSettings(const QString &dataDir);

    QString serverUrl() const;
    Status setServerUrl(const QString &url);

    // Under [sync]; a null QVariant when the file has none.
    QVariant syncValue(const QString &key) const;
    Status setSyncValues(const QVariantMap &values);

    const QString &filePath() const { return m_path; }

private:
    Status write(const QVariantMap &values);

    QString m_path;
};

} // namespace earshot
