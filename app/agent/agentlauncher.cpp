#include "agent/agentlauncher.h"

#include "applogging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

class AgentLauncherText
{
    Q_DECLARE_TR_FUNCTIONS(AgentLauncher)
};

} // namespace

QString AgentLauncher::defaultProgram()
{
    return QDir(QCoreApplication::applicationDirPath()).filePath(u"earshot-sync"_s);
}

AgentLauncher::AgentLauncher(QString dataDir, QString program)
    : m_dataDir(std::move(dataDir))
    , m_program(std::move(program))
{
}

QString AgentLauncher::logPath() const
{
    return QDir(m_dataDir).filePath(u"earshot-sync.log"_s);
}

Status AgentLauncher::launch() const
{
    if (!QFileInfo(m_program).isExecutable()) {
        //: %1 is a file path
        return Status::failure(AgentLauncherText::tr("earshot-sync is not installed next to Earshot (%1); "
                                                     "reinstall Earshot.")
                                   .arg(QDir::toNativeSeparators(m_program)));
    }
    QProcess process;
    process.setProgram(m_program);
    process.setArguments({u"--data-dir"_s, QDir(m_dataDir).absolutePath()});
    // Its messages go to a log beside the store, where a person can look for them, not
    // to whatever terminal the app came from.
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(logPath(), QIODevice::Append);
    qint64 pid = 0;
    if (!process.startDetached(&pid)) {
        return Status::failure(AgentLauncherText::tr("earshot-sync could not be started: %1")
                                   .arg(process.errorString()));
    }
    qCInfo(lcAgent) << "started earshot-sync, pid" << pid;
    return Status::ok();
}

} // namespace earshot
