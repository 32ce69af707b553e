#pragma once

// tst_agentcontrol: the agent's control socket end to end (see tst_agentcontrol.cpp). The
// helpers below drive a built earshot-sync in loop mode through the app's IpcClient.
#include "agenttesting.h"
#include "storeinspector.h"

#include "ipc/ipcclient.h"
#include "ipc/ipcprotocol.h"
#include "testsupport/media_files.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <optional>

namespace controltest {

using namespace Qt::StringLiterals;
using namespace agenttesting;
using earshot::IpcClient;

inline constexpr qint64 kMiB = 1024 * 1024;

// A running agent in loop mode and a control connection to it that keeps every event.
class ControlledAgent
{
public:
    struct Event
    {
        QString name;
        QJsonObject data;
    };

    ControlledAgent(AgentProcess &agent, const QString &serverUrl, const QStringList &extraArguments)
        : m_client(earshot::ipc::socketPathFor(agent.dataDir()))
    {
        agent.start(m_process, QStringList{u"--server"_s, serverUrl, u"--data-dir"_s, agent.dataDir()} + extraArguments);
        QObject::connect(&m_client, &IpcClient::eventReceived, &m_client,
                         [this](const QString &name, const QJsonObject &data) { m_events.append({name, data}); });
    }
    ~ControlledAgent()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(20'000))
                m_process.kill();
        }
    }

    // Waits for the socket (the agent opens it once its store and session are loaded).
    bool connect()
    {
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 30'000 && m_process.state() != QProcess::NotRunning) {
            if (m_client.waitForConnected(std::chrono::milliseconds(200)))
                return m_client.requestAndWait(u"subscribe"_s).hasValue();
            QTest::qWait(100);
        }
        qWarning() << "the agent's socket never answered;" << m_process.readAllStandardError().right(2000);
        return false;
    }

    earshot::Expected<QJsonObject> request(const QString &command, const QJsonObject &args = {})
    {
        return m_client.requestAndWait(command, args, std::chrono::seconds(20));
    }

    // The first event (from `from` on) named `name` that `matches`, waiting for it.
    std::optional<Event> waitForEvent(const QString &name, std::chrono::milliseconds timeout,
                                      const std::function<bool(const QJsonObject &)> &matches = {}, qsizetype from = 0)
    {
        QElapsedTimer waited;
        waited.start();
        for (;;) {
            for (qsizetype i = from; i < m_events.size(); ++i) {
                if (m_events[i].name == name && (!matches || matches(m_events[i].data)))
                    return m_events[i];
            }
            if (waited.elapsed() > timeout.count() || m_process.state() == QProcess::NotRunning)
                return std::nullopt;
            QTest::qWait(20);
        }
    }
    qsizetype eventCount() const { return m_events.size(); }
    QProcess &process() { return m_process; }
    QByteArray log() { return m_process.readAllStandardError().right(12000); }

private:
    QProcess m_process;
    IpcClient m_client;
    QList<Event> m_events;
};

// The first pass may end before the test subscribed: the status tells.
inline bool firstPassDone(ControlledAgent &controlled)
{
    return waitUntil([&] {
        const auto status = controlled.request(u"status"_s);
        return status && !status->value("last_sync_at"_L1).isNull() && !status->value("pass_running"_L1).toBool();
    }, std::chrono::seconds(60));
}

// A server with 20 calls and no recordings, and an agent in loop mode that mirrored them
// once and then passes only when something asks it to (an hour's interval).
struct MirroringAgent
{
    ServerView server;
    QTemporaryDir dataDir;
    std::unique_ptr<AgentProcess> agent;
    std::unique_ptr<ControlledAgent> controlled;

    bool start()
    {
        if (!server.start({u"--calls"_s, u"20"_s, u"--no-recordings"_s})) {
            qWarning().noquote() << server.error();
            return false;
        }
        agent = signedInAgent(server, dataDir.path());
        if (!agent)
            return false;
        controlled = std::make_unique<ControlledAgent>(*agent, server.url(), QStringList{u"--interval"_s, u"3600"_s});
        if (!controlled->connect())
            return false;
        if (firstPassDone(*controlled))
            return true;
        qWarning().noquote() << controlled->log();
        return false;
    }
};

// A server with `count` calls, each with its own MP3-looking recording of `bytes` bytes
// (in `media`), and a signed-in agent on a fresh data dir.
struct ServerWithClips
{
    QTemporaryDir media;
    ServerView server;
    QTemporaryDir dataDir;
    std::unique_ptr<AgentProcess> agent;

    bool start(int count, qint64 bytes)
    {
        QString error;
        QStringList names;
        for (int i = 0; i < count; ++i)
            names.append(u"clip%1.mp3"_s.arg(i));
        if (earshot::testsupport::writeMediaFiles(media.path(), names, QList<qint64>(count, bytes), &error).isEmpty()) {
            qWarning().noquote() << error;
            return false;
        }
        if (!server.start({u"--calls"_s, QString::number(count), u"--one-recording-per-file"_s,
                           u"--recordings-dir"_s, media.path()})) {
            qWarning().noquote() << server.error();
            return false;
        }
        agent = signedInAgent(server, dataDir.path());
        return agent != nullptr;
    }
};

inline qint64 presentRecordings(const QString &dataDir)
{
    qint64 present = 0;
    const auto recordings = StoreInspector(databasePath(dataDir)).recordings();
    for (const StoredRecording &recording : recordings)
        present += recording.cacheState == "present"_L1 ? 1 : 0;
    return present;
}

inline QStringList transferIds(const QJsonObject &progressOrStatus)
{
    QStringList ids;
    const QJsonArray transfers = progressOrStatus.value("transfers"_L1).toArray();
    for (const QJsonValue &transfer : transfers)
        ids.append(transfer.toObject().value("recording_id"_L1).toString());
    return ids;
}

class TstAgentControl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void statusAnswersDuringASlowMetadataPass();
    void controlsDownloads();
    // tst_agentcontrol_recordings.cpp: what the app says about recordings it opened.
    void openedCopiesAreEvictedLast();
    void givenUpRecordingStillPlaysAtOnce();
    void damagedCopyIsCheckedRemovedAndFetchedAgain();

    void settingsGivenOnceAreRememberedByTheFolder();
    void serverEventStartsAPass();
    void playerRequestWhileTheServerIsAwayDoesNotStopLaterPasses();
    void revokedSessionWaitsForANewSignIn();
};

} // namespace controltest
