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
    return write({{QLatin1StringView(kServerUrlKey), url}});
}

QVariant AgentSettings::syncValue(const QString &key) const
{
    const QSettings settings(m_path, QSettings::IniFormat);
    return settings.value(u"sync/"_s + key);
}

Status AgentSettings::setSyncValues(const QVariantMap &values)
{
    QVariantMap keyed;
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        keyed.insert(u"sync/"_s + it.key(), it.value());
    return write(keyed);
}

Status AgentSettings::write(const QVariantMap &values)
{
    if (values.isEmpty())
        return Status::ok();
    if (Status created = DataDirectory::create(QFileInfo(m_path).absolutePath()); !created)
        return created;
    QSettings settings(m_path, QSettings::IniFormat);
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        settings.setValue(it.key(), it.value());
    settings.sync();
    if (settings.status() != QSettings::NoError)
        return Status::failure(u"cannot write %1"_s.arg(m_path));
    return Status::ok();
}

} // namespace earshot
