#pragma once

// Shared by the two halves of tst_mainwindow: the scene (a generated store with a few
// recordings in the cache, the window over it), the list, filters, the agent's commits,
// status and screenshot in tst_mainwindow.cpp; playback in tst_mainwindow_playback.cpp.

#include "agent/agentconnection.h"
#include "fixturerecordings.h"
#include "generatedcalls.h"
#include "models/calltablemodel.h"
#include "playback/cachekeyloader.h"
#include "playback/qtmultimediaplaybackengine.h"
#include "playback/recordingopener.h"
#include "session/storesession.h"
#include "store/database.h"
#include "widgets/calltableview.h"
#include "widgets/mainwindow.h"

#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace earshot;
using namespace earshot::testsupport;

namespace mainwindowtest {

inline constexpr int kCallCount = 500;
inline constexpr int kPlayTimeoutMs = 15000;

// The calls the test gives particular recordings.
inline const auto kCachedMp3 = u"cached-mp3"_s;
inline const auto kCachedOpus = u"cached-opus"_s;
inline const auto kCachedUlaw = u"cached-ulaw"_s;
inline const auto kCachedMissingFile = u"cached-missing-file"_s;
inline const auto kAvailable = u"available"_s;
inline const auto kPending = u"pending"_s;
inline const auto kNoRecording = u"no-recording"_s;

} // namespace mainwindowtest

using namespace mainwindowtest;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void tableShowsNewestCallsAndCount();
    void filtersNarrowTheList();
    void selectingCachedCallPlaysAndSliderMoves();
    void keyboardControlsPlayback();
    void wavWithOddSampleCountPlays();
    void uncachedCallsSayWhy_data();
    void uncachedCallsSayWhy();
    void downloadWhileSelectedMakesItPlayable();
    void agentCommitsKeepSelectionAndScroll();
    void newCallsAppearAtTheTop();
    void filterChoicesFollowTheStore();
    void syncProblemIsShown();
    void agentStatusSaysWhatIsOut();
    void emptyStoreExplainsItself();
    void screenshot();
    void layoutIsRemembered();

private:
    template <typename T>
    T *child(const QString &name) const
    {
        auto *found = m_window->findChild<T *>(name);
        if (!found)
            qWarning() << "no child" << name;
        return found;
    }
    CallTableModel *model() const { return m_session->callModel(); }
    CallTableView *table() const { return child<CallTableView>(u"callTable"_s); }
    QString playerMessage() const { return child<QLabel>(u"playerMessage"_s)->text(); }
    // Clicks the call's row as a person would; loads more pages until it is there.
    bool clickCall(const QString &callId);
    QString callIdAt(int row) const { return model()->index(row, 0).data(CallTableModel::CallIdRole).toString(); }
    Call &call(const QString &id);
    void commit(const QList<Call> &calls);

    QTemporaryDir m_dir;
    QString m_dataDir;
    std::unique_ptr<Database> m_agent;
    QList<Call> m_calls;
    QList<FixtureRecording> m_fixtures;
    std::unique_ptr<StoreSession> m_session;
    std::unique_ptr<QtMultimediaPlaybackEngine> m_engine;
    QByteArray m_key;
    std::unique_ptr<CacheKeyLoader> m_keyLoader;
    std::unique_ptr<AgentConnection> m_agentConnection;
    std::unique_ptr<RecordingOpener> m_opener;
    std::unique_ptr<MainWindow> m_window;
};
