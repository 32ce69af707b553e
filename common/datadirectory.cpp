#include "datadirectory.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

namespace earshot {

QString DataDirectory::resolve(const QString &commandLineValue)
{
    if (!commandLineValue.isEmpty())
        return QDir(commandLineValue).absolutePath();
    const QString fromEnvironment = qEnvironmentVariable(kEnvironmentVariable);
    if (!fromEnvironment.isEmpty())
        return QDir(fromEnvironment).absolutePath();
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
}

void DataDirectory::applyApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Earshot"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("earshot.example"));
    QCoreApplication::setApplicationName(QStringLiteral("earshot"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EARSHOT_VERSION));
}

QString DataDirectory::databasePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("earshot.sqlite"));
}

QString DataDirectory::cacheDirectory(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("cache"));
}

} // namespace earshot
