// The agent's control socket and its single-instance lock, over real local sockets and
// real processes.
#include "ipc/agentinstancelock.h"
#include "ipc/ipcclient.h"
#include "ipc/ipcserver.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace earshot;

namespace {
constexpr auto kLockChildVariable = "EARSHOT_IPC_TEST_LOCK_DIR";
}

class TestIpc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir.emplace();
        m_server.emplace();
        m_server->setHandler([](const ipc::Request &request, const IpcReply &reply) {
            if (request.command == "echo"_L1) {
                reply.ok(request.args);
            } else if (request.command == "slow"_L1) {
                QTimer::singleShot(50ms, qApp, [reply] { reply.ok({{"late"_L1, true}}); });
            } else if (request.command == "never"_L1) {
                // never answers: the client must not hang when the agent goes away
            } else {
                reply.fail(u"unknown_command"_s, u"no such command: "_s + request.command);
            }
        });
        m_socketPath = ipc::socketPathFor(m_dir->path());
        const Status listening = m_server->listen(m_socketPath);
        QVERIFY2(listening, qPrintable(listening.error()));
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void helloAndRequestsRoundTrip()
    {
        IpcClient client(m_socketPath);
        QVERIFY(client.waitForConnected(5s));
        const auto hello = client.requestAndWait(u"hello"_s);
        QVERIFY2(hello, qPrintable(hello.error()));
        QCOMPARE(hello->value("protocol"_L1).toInt(), ipc::kProtocolVersion);

        const auto echoed = client.requestAndWait(u"echo"_s, {{"bytes_per_second"_L1, 125000}});
        QVERIFY(echoed);
        QCOMPARE(echoed->value("bytes_per_second"_L1).toInt(), 125000);
        const auto late = client.requestAndWait(u"slow"_s);
        QVERIFY(late && late->value("late"_L1).toBool());

        const auto unknown = client.requestAndWait(u"format_disk"_s);
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().contains(u"format_disk"_s), qPrintable(unknown.error()));
    }

    void theSocketIsForThisUserOnly()
    {
        struct stat info {};
        QCOMPARE(::stat(QFile::encodeName(m_socketPath).constData(), &info), 0);
        QCOMPARE(info.st_mode & 0077, 0u);
    }

    void garbageGetsAnErrorAndTheConnectionSurvives()
    {
        QLocalSocket raw;
        raw.connectToServer(m_socketPath);
        QTRY_VERIFY(raw.state() == QLocalSocket::ConnectedState);
        raw.write("this is not json\n{\"id\": 3}\n{\"id\":4,\"command\":\"echo\",\"args\":{\"x\":1}}\n");
        QByteArray answers;
        // The server lives in this thread: wait with the event loop running, not blocked.
        QTRY_VERIFY_WITH_TIMEOUT((answers += raw.readAll()).count('\n') >= 3, 5000);
        const QList<QByteArray> lines = answers.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].contains("bad_request"));
        QVERIFY(lines[1].contains("bad_request"));
        QVERIFY(lines[2].contains("\"ok\":true"));
    }

    void anOverLongLineDropsTheClient()
    {
        QLocalSocket raw;
        raw.connectToServer(m_socketPath);
        QVERIFY(raw.waitForConnected(5000));
        QSignalSpy dropped(&raw, &QLocalSocket::disconnected);
        raw.write(QByteArray(ipc::kMaxLineBytes + 4096, 'x'));
        QVERIFY(dropped.wait(5000));
        QCOMPARE(m_server->clientCount(), 0);
    }

    void eventsReachOnlySubscribers()
    {
        IpcClient listener(m_socketPath), bystander(m_socketPath);
        QVERIFY(listener.waitForConnected(5s) && bystander.waitForConnected(5s));
        QVERIFY(listener.requestAndWait(u"subscribe"_s));
        QVERIFY(bystander.requestAndWait(u"hello"_s));
        QSignalSpy heard(&listener, &IpcClient::eventReceived);
        QSignalSpy overheard(&bystander, &IpcClient::eventReceived);
        m_server->broadcast(u"progress"_s, {{"queue_length"_L1, 12}});
        QVERIFY(heard.wait(2000));
        QCOMPARE(heard.first().at(0).toString(), u"progress"_s);
        QCOMPARE(heard.first().at(1).toJsonObject().value("queue_length"_L1).toInt(), 12);
        QTest::qWait(100);
        QCOMPARE(overheard.size(), 0);
    }

    void pendingRequestsFailWhenTheAgentGoesAway()
    {
        IpcClient client(m_socketPath);
        QVERIFY(client.waitForConnected(5s));
        std::optional<Expected<QJsonObject>> answer;
        client.request(u"never"_s, {}, this, [&answer](const Expected<QJsonObject> &result) { answer = result; });
        QTest::qWait(50);
        m_server.reset();
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
        QVERIFY(!*answer);
        QVERIFY2(answer->error().contains(u"agent"_s), qPrintable(answer->error()));
        const auto afterwards = client.requestAndWait(u"echo"_s);
        QVERIFY(!afterwards);
        QVERIFY2(afterwards.error().contains(u"not running"_s), qPrintable(afterwards.error()));
    }

    void onlyOneAgentPerDataFolder()
    {
        auto first = AgentInstanceLock::acquire(m_dir->path());
        QVERIFY2(first, qPrintable(first.error()));
        auto second = AgentInstanceLock::acquire(m_dir->path());
        QVERIFY(!second);
        QVERIFY2(second.error().contains(QString::number(QCoreApplication::applicationPid())), qPrintable(second.error()));
        first->reset();
        QVERIFY(AgentInstanceLock::acquire(m_dir->path()));
    }

    void aKilledAgentsLockIsTakenOver()
    {
        QProcess child;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QString::fromLatin1(kLockChildVariable), m_dir->path());
        child.setProcessEnvironment(environment);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForReadyRead(10000));
        QVERIFY(child.readAll().contains("LOCKED"));
        QVERIFY(!AgentInstanceLock::acquire(m_dir->path())); // alive: refused
        child.kill();                                          // kill -9: no chance to unlock
        QVERIFY(child.waitForFinished(10000));
        const auto taken = AgentInstanceLock::acquire(m_dir->path());
        QVERIFY2(taken, qPrintable(taken.error()));
    }

private:
    std::optional<QTemporaryDir> m_dir;
    std::optional<IpcServer> m_server;
    QString m_socketPath;
};

// In child mode the process takes the lock, says so and waits to be killed.
int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (const QString dir = qEnvironmentVariable(kLockChildVariable); !dir.isEmpty()) {
        auto lock = AgentInstanceLock::acquire(dir);
        fputs(lock ? "LOCKED\n" : "NOT LOCKED\n", stdout);
        fflush(stdout);
        QThread::sleep(60);
        return 0;
    }
    TestIpc test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_ipc.moc"
