#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

#include <chrono>

// Runs the built earshot-sync as a user or a script would, and keeps what it said.
struct AgentRun
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::NormalExit;
    bool timedOut = false;
    QByteArray standardOutput;
    QByteArray standardError;
    qint64 milliseconds = 0;

    bool crashed() const { return exitStatus == QProcess::CrashExit; }
    // For QVERIFY2 messages: the exit and both streams.
    QByteArray describe() const;
};

class AgentProcess
{
public:
    explicit AgentProcess(QString dataDir);

    // The environment of every run; tests add or remove variables.
    QProcessEnvironment &environment() { return m_environment; }

    AgentRun run(const QStringList &arguments, const QByteArray &standardInput = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(180)) const;

    AgentRun login(const QString &serverUrl, const QString &email, const QByteArray &password) const;
    AgentRun logout(const QString &serverUrl) const;
    AgentRun syncOnce(const QString &serverUrl, const QStringList &extraArguments = {}) const;

    // Starts a sync without waiting, for kill tests; the caller owns the process.
    void start(QProcess &process, const QStringList &arguments) const;

    const QString &dataDir() const { return m_dataDir; }

private:
    QString m_dataDir;
    QProcessEnvironment m_environment;
};
