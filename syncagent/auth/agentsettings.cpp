#include "auth/agentsettings.h"

#include "datadirectory.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {
constexpr auto kServerUrlKey = "server/url";
}

AgentSettings::AgentSettings(const QString &dataDir)
    : m_path(QDir(dataDir).filePath(u"agent.ini"_s))
{
}

QString AgentSettings::serverUrl() const
{
    const QSettings settings(m_path, QSettings::IniFormat);
    return settings.value(QLatin1StringView(kServerUrlKey)).toString();
}

Status AgentSettings::setServerUrl(const QString &url)
{
    if (Status created = DataDirectory::create(QFileInfo(m_path).absolutePath()); !created)
        return created;
    QSettings settings(m_path, QSettings::IniFormat);
    settings.setValue(QLatin1StringView(kServerUrlKey), url);
    settings.sync();
    if (settings.status() != QSettings::NoError)
        return Status::failure(u"cannot write %1"_s.arg(m_path));
    return Status::ok();
}

} // namespace earshot
