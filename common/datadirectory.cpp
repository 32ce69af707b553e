#include "datadirectory.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <cerrno>

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

Status DataDirectory::create(const QString &dataDir)
{
    const QFileInfo info(dataDir);
    if (info.exists() && !info.isDir())
        return Status::failure(QStringLiteral("the data folder %1 is a file, not a folder; choose another data folder "
                                              "(--data-dir or %2)")
                                   .arg(info.absoluteFilePath(), QLatin1StringView(kEnvironmentVariable)));
    errno = 0;
    if (QDir().mkpath(dataDir))
        return Status::ok();
    const QString reason = errno != 0 ? qt_error_string(errno) : QStringLiteral("unknown error");
    return Status::failure(QStringLiteral("cannot create the data folder %1 (%2); choose one you can write to "
                                          "(--data-dir or %3)")
                               .arg(info.absoluteFilePath(), reason, QLatin1StringView(kEnvironmentVariable)));
}

} // namespace earshot
