#include "agentprocess.h"

#include <QElapsedTimer>

using namespace Qt::StringLiterals;

QByteArray AgentRun::describe() const
{
    QByteArray text = timedOut ? "timed out"_ba
                               : (exitStatus == QProcess::CrashExit ? "crashed"_ba : "exit " + QByteArray::number(exitCode));
    return text + " after " + QByteArray::number(milliseconds) + " ms\n--- stdout:\n" + standardOutput
        + "\n--- stderr (last 4000 bytes):\n" + standardError.right(4000);
}

AgentProcess::AgentProcess(QString dataDir)
    : m_dataDir(std::move(dataDir))
    , m_environment(QProcessEnvironment::systemEnvironment())
{
    // Tests pass the data folder explicitly; an inherited one would point elsewhere.
    m_environment.remove(u"EARSHOT_DATA_DIR"_s);
    m_environment.remove(u"EARSHOT_SYNC_ABORT_BEFORE_COMMIT"_s);
}

void AgentProcess::start(QProcess &process, const QStringList &arguments) const
{
    process.setProgram(QStringLiteral(EARSHOT_SYNC_PATH));
    process.setArguments(arguments);
    process.setProcessEnvironment(m_environment);
    process.start();
}

AgentRun AgentProcess::run(const QStringList &arguments, const QByteArray &standardInput,
                           std::chrono::milliseconds timeout) const
{
    QElapsedTimer timer;
    timer.start();
    QProcess process;
    start(process, arguments);
    AgentRun result;
    if (!process.waitForStarted(10000)) {
        result.standardError = "cannot start " EARSHOT_SYNC_PATH ": " + process.errorString().toUtf8();
        return result;
    }
    process.write(standardInput);
    process.closeWriteChannel();
    if (!process.waitForFinished(static_cast<int>(timeout.count()))) {
        result.timedOut = true;
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitCode();
    result.exitStatus = process.exitStatus();
    result.standardOutput = process.readAllStandardOutput();
    result.standardError = process.readAllStandardError();
    result.milliseconds = timer.elapsed();
    return result;
}

AgentRun AgentProcess::login(const QString &serverUrl, const QString &email, const QByteArray &password) const
{
    return run({u"login"_s, u"--server"_s, serverUrl, u"--email"_s, email, u"--data-dir"_s, m_dataDir},
               password + '\n');
}

AgentRun AgentProcess::logout(const QString &serverUrl) const
{
    return run({u"logout"_s, u"--server"_s, serverUrl, u"--data-dir"_s, m_dataDir});
}

AgentRun AgentProcess::syncOnce(const QString &serverUrl, const QStringList &extraArguments) const
{
    return run(QStringList{u"--server"_s, serverUrl, u"--data-dir"_s, m_dataDir, u"--once"_s} + extraArguments);
}
