// AgentConnection and AgentLauncher over a real local control socket. The agent's side is
// an in-process common/ipc IpcServer answering per docs/ipc-protocol.md (earshot-sync does
// not serve the socket yet); the launch test starts the real earshot-sync binary.
#include <QLocalSocket> // before ipcserver.h, whose QPointer<QLocalSocket> needs the whole type

#include "agent/agentconnection.h"
#include "ipc/ipcprotocol.h"
#include "ipc/ipcserver.h"
#include "widgets/callcontextmenu.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace earshot;

class TestAgentConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir.emplace();
        QVERIFY(m_dir->isValid());
        m_requests.clear();
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void connectsSubscribesAndFollowsEvents();
    void commandsCarryTheirArguments();
    void refusalsReachTheCaller();
    void noAgentIsSaidClearly();
    void losingTheAgentIsNoticed();
    void startsTheRealAgentWhenNoneAnswers();
    void aPinsAnswerSaysWhatRetentionKeepsOut();

private:
    void serve();

    std::optional<QTemporaryDir> m_dir;
    std::unique_ptr<IpcServer> m_server;
    QList<ipc::Request> m_requests;
};

void TestAgentConnection::serve()
{
    m_server = std::make_unique<IpcServer>();
    m_server->setHandler([this](const ipc::Request &request, const IpcReply &reply) {
        m_requests.append(request);
        if (request.command == "status"_L1)
            reply.ok({{"queue_length"_L1, 7}, {"bytes_per_second"_L1, 250000}});
        else if (request.command == "pin"_L1 && request.args.value("kind"_L1).toString() == "filter"_L1)
            reply.fail(u"bad_argument"_s, u"filters are pinned from the filter bar"_s);
        else
            reply.ok();
    });
    const Status listening = m_server->listen(ipc::socketPathFor(m_dir->path()));
    QVERIFY2(listening, qPrintable(listening.error()));
}

void TestAgentConnection::connectsSubscribesAndFollowsEvents()
{
    serve();
    AgentConnection agent(m_dir->path(), std::nullopt);
    agent.start();
    QTRY_VERIFY(agent.isConnected());
    // The status answer fills in the queue and the speed.
    QTRY_COMPARE(agent.status().queueLength, 7);
    QCOMPARE(agent.status().bytesPerSecond, 250000);
    QVERIFY(agent.status().isSyncing());

    QSignalSpy ranges(&agent, &AgentConnection::rangeReady);
    QSignalSpy failedRanges(&agent, &AgentConnection::rangeFailed);
    QSignalSpy cached(&agent, &AgentConnection::recordingCached);
    m_server->broadcast(u"progress"_s, {{"queue_length"_L1, 2}, {"bytes_per_second"_L1, 0}});
    m_server->broadcast(u"range_ready"_s, {{"recording_id"_L1, u"rec-1"_s}, {"offset"_L1, 65536}, {"length"_L1, 4096}});
    m_server->broadcast(u"range_failed"_s, {{"recording_id"_L1, u"rec-2"_s}, {"offset"_L1, 0}, {"length"_L1, 10},
                                            {"message"_L1, u"the server answered 404"_s}});
    m_server->broadcast(u"recording_cached"_s, {{"recording_id"_L1, u"rec-1"_s}});
    m_server->broadcast(u"error"_s, {{"message"_L1, u"Cannot reach the Earshot server"_s}, {"state"_L1, u"offline"_s}});
    QTRY_VERIFY(agent.status().serverUnreachable);
    m_server->broadcast(u"error"_s, {{"message"_L1, u"disk full: free some space"_s}, {"state"_L1, u"online"_s}});
    QTRY_VERIFY(!agent.status().serverUnreachable);
    m_server->broadcast(u"auth_required"_s, {});
    QTRY_VERIFY(agent.status().authRequired);
    QCOMPARE(agent.status().queueLength, 2);
    QCOMPARE(agent.status().lastError, u"disk full: free some space"_s);
    QCOMPARE(ranges.size(), 1);
    QCOMPARE(ranges.first().at(0).toString(), u"rec-1"_s);
    QCOMPARE(ranges.first().at(1).toLongLong(), 65536);
    QCOMPARE(ranges.first().at(2).toLongLong(), 4096);
    QCOMPARE(failedRanges.size(), 1);
    QCOMPARE(failedRanges.first().at(3).toString(), u"the server answered 404"_s);
    QCOMPARE(cached.size(), 1);
    // It said hello, subscribed (answered by the socket layer) and asked for the status.
    QCOMPARE(m_requests.size(), 1);
    QCOMPARE(m_requests.first().command, u"status"_s);
}

void TestAgentConnection::commandsCarryTheirArguments()
{
    serve();
    AgentConnection agent(m_dir->path(), std::nullopt);
    agent.start();
    QTRY_VERIFY(agent.isConnected());
    int answers = 0;
    const auto count = [&answers](const Expected<QJsonObject> &answer) {
        QVERIFY2(answer, qPrintable(answer.error()));
        ++answers;
    };
    agent.fetchFirst(u"rec-9"_s, 131072, 262144, this, count);
    agent.fetchFirst(u"rec-8"_s, 0, 0, this, count);
    agent.pin(u"lead"_s, u"lead-3"_s, this, count);
    agent.unpin(u"list"_s, QString(), this, count);
    QTRY_COMPARE(answers, 4);
    const auto commands = m_requests.mid(1); // after "status"
    QCOMPARE(commands.at(0).command, u"fetch_first"_s);
    QCOMPARE(commands.at(0).args.value("recording_id"_L1).toString(), u"rec-9"_s);
    QCOMPARE(commands.at(0).args.value("offset"_L1).toInteger(), 131072);
    QCOMPARE(commands.at(0).args.value("length"_L1).toInteger(), 262144);
    QVERIFY(!commands.at(1).args.contains("offset"_L1)); // the whole recording
    QCOMPARE(commands.at(2).command, u"pin"_s);
    QCOMPARE(commands.at(2).args.value("kind"_L1).toString(), u"lead"_s);
    QCOMPARE(commands.at(2).args.value("id"_L1).toString(), u"lead-3"_s);
    QCOMPARE(commands.at(3).command, u"unpin"_s);
    QCOMPARE(commands.at(3).args.value("id"_L1).toString(), QString()); // Manual Dial
}

void TestAgentConnection::refusalsReachTheCaller()
{
    serve();
    AgentConnection agent(m_dir->path(), std::nullopt);
    agent.start();
    QTRY_VERIFY(agent.isConnected());
    std::optional<Expected<QJsonObject>> answer;
    agent.pin(u"filter"_s, u"{}"_s, this, [&answer](const Expected<QJsonObject> &result) { answer = result; });
    QTRY_VERIFY(answer.has_value());
    QVERIFY(!*answer);
    QCOMPARE(answer->error(), u"filters are pinned from the filter bar"_s);
}

void TestAgentConnection::noAgentIsSaidClearly()
{
    AgentConnection agent(m_dir->path(), std::nullopt);
    QSignalSpy changes(&agent, &AgentConnection::statusChanged);
    agent.start();
    QTRY_VERIFY(agent.status().state == AgentStatus::State::Offline);
    QCOMPARE(agent.status().lastError, u"earshot-sync is not running."_s);
    // A command fails at once with the reason, instead of waiting.
    std::optional<Expected<QJsonObject>> answer;
    agent.fetchFirst(u"rec-1"_s, 0, 0, this, [&answer](const Expected<QJsonObject> &result) { answer = result; });
    QVERIFY(answer.has_value());
    QVERIFY(!*answer);
    QVERIFY2(answer->error().contains(u"not running"_s), qPrintable(answer->error()));

    // An agent that comes just after is found by the first retries, well before the
    // periodic one.
    serve();
    QTRY_VERIFY_WITH_TIMEOUT(agent.isConnected(), int(AgentConnection::kReconnectInterval.count()) - 1000);

    // Lost again, and back a while later: the retries slow down to the period but go on.
    m_server.reset();
    QTRY_VERIFY(agent.status().state == AgentStatus::State::Offline);
    QTest::qWait(int(AgentConnection::kFirstReconnectDelay.count()) * 6);
    serve();
    QTRY_VERIFY_WITH_TIMEOUT(agent.isConnected(), int(AgentConnection::kReconnectInterval.count()) + 5000);
}

void TestAgentConnection::losingTheAgentIsNoticed()
{
    serve();
    AgentConnection agent(m_dir->path(), std::nullopt);
    agent.start();
    QTRY_VERIFY(agent.isConnected());
    m_server.reset();
    QTRY_VERIFY(agent.status().state == AgentStatus::State::Offline);
    QCOMPARE(agent.status().lastError, u"earshot-sync stopped."_s);
}

void TestAgentConnection::startsTheRealAgentWhenNoneAnswers()
{
    // The real binary, detached, with this data folder. It is not signed in, so it tells
    // the log so and leaves; the app then says where to look.
    const AgentLauncher launcher(m_dir->path(), QStringLiteral(EARSHOT_SYNC_PATH));
    AgentConnection agent(m_dir->path(), launcher);
    agent.start();
    QTRY_VERIFY_WITH_TIMEOUT(agent.status().state == AgentStatus::State::Offline,
                             int(AgentConnection::kStartupWait.count()) + 10000);
    QVERIFY2(agent.status().lastError.contains(launcher.logPath()), qPrintable(agent.status().lastError));
    QFile log(launcher.logPath());
    QTRY_VERIFY(log.exists() && log.size() > 0);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QString said = QString::fromUtf8(log.readAll());
    qInfo() << "earshot-sync said:" << said.trimmed();
    QVERIFY(said.contains(u"earshot-sync"_s) || said.contains(u"sign"_s, Qt::CaseInsensitive));

    // A missing binary is a clear error, not a hang.
    AgentConnection missing(m_dir->path(), AgentLauncher(m_dir->path(), m_dir->filePath(u"no-such-agent"_s)));
    missing.start();
    QTRY_VERIFY(missing.status().state == AgentStatus::State::Offline);
    QVERIFY2(missing.status().lastError.contains(u"not installed"_s), qPrintable(missing.status().lastError));
}

void TestAgentConnection::aPinsAnswerSaysWhatRetentionKeepsOut()
{
    QCOMPARE(CallContextMenu::pinNotice({{"recordings"_L1, 5}, {"older_than_retention"_L1, 2}, {"retention_days"_L1, 30}}),
             u"Not kept offline: 2 of 5 recordings, whose calls are older than the 30 days your organisation allows "
             "copies to stay on this computer. They still play while online."_s);
    QVERIFY(CallContextMenu::pinNotice({{"recordings"_L1, 5}, {"older_than_retention"_L1, 0}, {"retention_days"_L1, 30}})
                .isEmpty());
    QVERIFY(CallContextMenu::pinNotice({}).isEmpty()); // an unpin's answer, or an older agent's
}

QTEST_GUILESS_MAIN(TestAgentConnection)

#include "tst_agentconnection.moc"
