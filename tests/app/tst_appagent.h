#pragma once

// tst_appagent: the app's engine against the real agent (see tst_appagent.cpp).
#include "agenttesting.h"
#include "fixturerecordings.h"
#include "storeinspector.h"

#include "agent/agentconnection.h"
#include "agent/agentlauncher.h"
#include "ipc/ipcclient.h"
#include "models/calltablemodel.h"
#include "ipc/ipcprotocol.h"
#include "playback/cachefilesource.h"
#include "playback/cachekeyloader.h"
#include "playback/qtmultimediaplaybackengine.h"
#include "playback/recordingopener.h"
#include "session/storesession.h"
#include "store/pinstore.h"
#include "widgets/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QPointer>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

namespace appagenttest {

using namespace Qt::StringLiterals;
using namespace agenttesting;
using namespace earshot;

inline constexpr qint64 kChunk = 64 * 1024;
// Slow enough that a 1.5 MB recording takes about 12 s to download.
inline const QString kBandwidthLimit = u"128K"_s;

// earshot-sync in loop mode for a signed-in data folder, stopped with the test.
class RunningAgent
{
public:
    RunningAgent(AgentProcess &agent, const QString &serverUrl, const QStringList &extraArguments)
        : m_logPath(QDir(agent.dataDir()).filePath(u"agent-under-test.log"_s))
    {
        m_process.setStandardErrorFile(m_logPath);
        agent.start(m_process, QStringList{u"--server"_s, serverUrl, u"--data-dir"_s, agent.dataDir(), u"--interval"_s,
                                           u"3600"_s}
                                   + extraArguments);
    }
    ~RunningAgent()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(20'000))
                m_process.kill();
        }
    }
    QByteArray log() const
    {
        QFile file(m_logPath);
        return file.open(QIODevice::ReadOnly) ? file.readAll().right(8000) : QByteArray();
    }

private:
    QString m_logPath;
    QProcess m_process;
};

// The app's engine over a data folder the agent writes, wired as main.cpp wires it.
struct AppEngine
{
    std::unique_ptr<StoreSession> session;
    std::unique_ptr<CacheKeyLoader> keys;
    std::unique_ptr<AgentConnection> agent;
    std::unique_ptr<RecordingOpener> opener;
    std::unique_ptr<QtMultimediaPlaybackEngine> player;

    bool open(const QString &dataDir, std::optional<AgentLauncher> launcher = std::nullopt);
};

// A server whose calls have the recordings of one folder, one each, and a signed-in agent
// downloading them under the bandwidth limit, one at a time.
struct SlowDownloads
{
    ServerView server;
    QTemporaryDir dataDir;
    std::unique_ptr<AgentProcess> agent;
    std::unique_ptr<RunningAgent> running;

    bool start(const QString &recordingsDir, int calls);
};

QString longRecordingsDir();

// A recordings folder with `fixture` twice under two names, for a server with two calls.
QString folderWithTwoCopies(const QTemporaryDir &scratch, const testsupport::FixtureRecording &fixture);

// A call whose recording the agent has not started downloading yet (it works on one at a
// time), once it has started one.
std::optional<CallRow> callNotUnderway(StoreSession &session, const QString &dataDir);

qint64 cachedBytes(const QString &dataDir);

qint64 callCount(StoreSession &session);

class TstAppAgent : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void statusPinsScreenshotAndARevokedSession();
    void streamsWhileTheAgentDownloads_data();
    void streamsWhileTheAgentDownloads();
    void launchesTheAgentWhenNoneRuns();
    void syncMenuPausesLimitsAndKeepsAFilterOffline();

    // tst_appagent_damage.cpp
    void damagedCopyIsFetchedAgainAndPlays();

private:
    QList<testsupport::FixtureRecording> m_long;
    QTemporaryDir m_scratch;
};

} // namespace appagenttest
