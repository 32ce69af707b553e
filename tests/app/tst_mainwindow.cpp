// The main window on a generated store with a few recordings in the cache, offscreen
// (or under Xvfb): rows show, filters narrow, the agent's commits arrive without losing
// the person's place, sync and agent problems are shown, and a screenshot is written.
// Playback: tst_mainwindow_playback.cpp.

#include "tst_mainwindow.h"

#include "agent/agentconnection.h"
#include "cache/cachekey.h"
#include "datadirectory.h"
#include "playback/cachekeyloader.h"
#include "playback/recordingopener.h"
#include "secrets/keychainsecretstore.h"
#include "fixturerecordings.h"
#include "generatedcalls.h"
#include "models/calltablemodel.h"
#include "playback/qtmultimediaplaybackengine.h"
#include "session/storesession.h"
#include "store/database.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"
#include "widgets/agentstatuslabel.h"
#include "widgets/calltableview.h"
#include "widgets/filterbar.h"
#include "widgets/mainwindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

Call &TestMainWindow::call(const QString &id)
{
    return *std::find_if(m_calls.begin(), m_calls.end(), [&](const Call &c) { return c.id == id; });
}

void TestMainWindow::commit(const QList<Call> &calls)
{
    QVERIFY(writeCalls(m_agent->connection(), calls));
    for (const Call &added : calls) {
        if (auto found = std::find_if(m_calls.begin(), m_calls.end(), [&](const Call &c) { return c.id == added.id; });
            found != m_calls.end())
            *found = added;
        else
            m_calls.prepend(added);
    }
    m_session->checkForChanges();
}

bool TestMainWindow::clickCall(const QString &callId)
{
    int row = model()->rowOfCall(callId);
    while (row < 0 && model()->canFetchMore({})) {
        model()->fetchMore({});
        row = model()->rowOfCall(callId);
    }
    if (row < 0) {
        qWarning() << "call" << callId << "not in the list of" << model()->rowCount() << "; filter empty:"
                   << model()->filter().isEmpty() << model()->lastError();
        return false;
    }
    const QModelIndex index = model()->index(row, CallTableModel::Lead);
    table()->scrollTo(index);
    QTest::mouseClick(table()->viewport(), Qt::LeftButton, {}, table()->visualRect(index).center());
    if (m_window->shownCallId() != callId)
        qWarning() << "clicking row" << row << "showed" << m_window->shownCallId() << "instead of" << callId;
    return m_window->shownCallId() == callId;
}

void TestMainWindow::initTestCase()
{
    DataDirectory::applyApplicationIdentity();
    QVERIFY(m_dir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(u"settings"_s));
    m_dataDir = m_dir.filePath(u"data"_s);

    QString error;
    m_fixtures = readFixtureManifest(QStringLiteral(EARSHOT_FIXTURE_RECORDINGS_DIR), &error);
    QVERIFY2(!m_fixtures.isEmpty(), qPrintable(error));
    const auto fixture = [this](const QString &file) {
        return *std::find_if(m_fixtures.cbegin(), m_fixtures.cend(), [&](const auto &f) { return f.file == file; });
    };

    // Generated history, and on top the calls this test looks at.
    m_calls = generateCalls(kCallCount).calls;
    const QDateTime newest = generatedNewest();
    const auto recorded = [&](const QString &id, int minutesAgo, const FixtureRecording &recording) {
        Call c = makeCall(id, newest.addSecs(-60 * minutesAgo), u"agent-0%1"_s.arg(1 + minutesAgo % 8));
        c.lead = {u"lead-"_s + id, u"Lead of "_s + id, u"+1 555-777-%1"_s.arg(minutesAgo, 4, 10, QChar(u'0'))};
        c.durationSeconds = qRound64(recording.durationSeconds);
        c.recording = Recording{u"rec-"_s + id, recording.format, recording.sizeBytes, recording.durationSeconds,
                                recording.sha256, recording.channels, RecordingStatus::Available};
        return c;
    };
    QList<Call> special{
        recorded(kCachedMp3, 3, fixture(u"renewal-mono.mp3"_s)),
        recorded(kCachedOpus, 4, fixture(u"billing-stereo.opus"_s)),
        recorded(kCachedUlaw, 5, fixture(u"appointment-mono-ulaw.wav"_s)),
        recorded(kCachedMissingFile, 6, fixture(u"voicemail-mono.mp3"_s)),
        recorded(kAvailable, 7, fixture(u"billing-mono.m4a"_s)),
        recorded(kPending, 8, fixture(u"renewal-mono.ogg"_s)),
        recorded(kNoRecording, 9, fixture(u"renewal-mono.ogg"_s)),
    };
    special[5].recording->status = RecordingStatus::Pending;
    special[6].recording.reset();
    m_calls = special + m_calls;

    QDir().mkpath(DataDirectory::cacheDirectory(m_dataDir));
    auto agent = Database::open(DataDirectory::databasePath(m_dataDir));
    QVERIFY2(agent, qPrintable(agent.error()));
    m_agent = std::move(agent).value();
    QVERIFY(writeCalls(m_agent->connection(), m_calls));
    // The cache key in the (test session's) keychain, as the agent makes it.
    KeychainSecretStore secrets;
    auto key = CacheKey::loadOrCreate(m_agent->connection(), secrets);
    QVERIFY2(key, qPrintable(key.error()));
    m_key = *key;
    const QSet<QString> cached{kCachedMp3, kCachedOpus, kCachedUlaw, kCachedMissingFile};
    const QHash<QString, QString> sources{{kCachedMp3, fixture(u"renewal-mono.mp3"_s).path},
                                          {kCachedOpus, fixture(u"billing-stereo.opus"_s).path},
                                          {kCachedUlaw, fixture(u"appointment-mono-ulaw.wav"_s).path}};
    for (auto it = sources.cbegin(); it != sources.cend(); ++it) {
        const QString written = writeEncryptedCopy(
            it.value(),
            QDir(DataDirectory::cacheDirectory(m_dataDir)).filePath(it.key() + u'.' + call(it.key()).recording->format),
            m_key);
        QVERIFY2(written.isEmpty(), qPrintable(written));
    }
    QVERIFY(markCached(m_agent->connection(), m_calls, cached,
                       [](const Call &c) -> QString { return c.id + u'.' + c.recording->format; }));

    auto session = StoreSession::open(m_dataDir);
    QVERIFY2(session, qPrintable(session.error()));
    m_session = std::move(session).value();
    m_session->setWatchInterval(std::chrono::milliseconds(100));
    m_engine = std::make_unique<QtMultimediaPlaybackEngine>();
    m_keyLoader = std::make_unique<CacheKeyLoader>(m_session->connection());
    // No agent runs for this test and none is started: the window must say so.
    m_agentConnection = std::make_unique<AgentConnection>(m_dataDir, std::nullopt);
    m_opener = std::make_unique<RecordingOpener>(m_session->cacheDirectory(), CallQuery(m_session->connection()),
                                                 *m_keyLoader, *m_agentConnection);
    m_window = std::make_unique<MainWindow>(*m_session, *m_engine, *m_opener, *m_agentConnection);
    m_agentConnection->start();
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestMainWindow::cleanupTestCase()
{
    m_window.reset();
    m_engine.reset();
    m_opener.reset();
    m_agentConnection.reset();
    m_keyLoader.reset();
    m_session.reset();
}

void TestMainWindow::tableShowsNewestCallsAndCount()
{
    // The view asks for the first page by itself.
    QTRY_VERIFY(model()->rowCount() > 0);
    QCOMPARE(model()->rowCount(), CallTableModel::kDefaultPageSize);
    QCOMPARE(callIdAt(0), expectedIds(m_calls, {}).first());
    QCOMPARE(child<QLabel>(u"callCount"_s)->text(), u"%1 calls"_s.arg(m_calls.size()));
    QVERIFY(child<QLabel>(u"syncStatus"_s)->text().startsWith(u"Synced "_s));
    QVERIFY(table()->placeholderText().isEmpty());
    QCOMPARE(child<QLabel>(u"callSummary"_s)->text(), u"No call selected"_s);
    // Scrolling to the bottom loads the next page.
    table()->scrollToBottom();
    QTRY_VERIFY(model()->rowCount() > CallTableModel::kDefaultPageSize);
    table()->scrollToTop();
}

void TestMainWindow::filtersNarrowTheList()
{
    auto *agent = child<QComboBox>(u"agentFilter"_s);
    auto *list = child<QComboBox>(u"listFilter"_s);
    auto *outcome = child<QComboBox>(u"outcomeFilter"_s);
    auto *lead = child<QLineEdit>(u"leadText"_s);
    auto *countLabel = child<QLabel>(u"callCount"_s);
    QVERIFY(agent && list && outcome && lead);

    agent->setCurrentIndex(agent->findText(u"Marcus Webb"_s));
    CallFilter expected;
    expected.agentId = u"agent-03"_s;
    QCOMPARE(model()->filter(), expected);
    QTRY_VERIFY(model()->rowCount() > 0);
    QCOMPARE(model()->totalCount(), expectedIds(m_calls, expected).size());
    QCOMPARE(countLabel->text(), u"%1 matching calls"_s.arg(expectedIds(m_calls, expected).size()));
    for (int row = 0; row < model()->rowCount(); ++row)
        QCOMPARE(model()->index(row, CallTableModel::Agent).data().toString(), u"Marcus Webb"_s);

    // Typing is debounced: one query after the pause, not one per key.
    lead->setFocus();
    QTest::keyClicks(lead, u"carter"_s);
    QCOMPARE(model()->filter().leadText, QString());
    QTRY_COMPARE(model()->filter().leadText, u"carter"_s);
    expected.leadText = u"carter"_s;
    QCOMPARE(model()->totalCount(), expectedIds(m_calls, expected).size());

    list->setCurrentIndex(list->findText(u"Manual Dial"_s));
    expected.listScope = CallFilter::ListScope::ManualDial;
    QCOMPARE(model()->filter(), expected);
    QCOMPARE(model()->totalCount(), expectedIds(m_calls, expected).size());

    outcome->setCurrentIndex(outcome->findText(u"No answer"_s));
    expected.outcome = u"no_answer"_s;
    QCOMPARE(model()->filter(), expected);

    // Clear shows everything again.
    QTest::mouseClick(child<QPushButton>(u"clearFilters"_s), Qt::LeftButton);
    QVERIFY(model()->filter().isEmpty());
    QCOMPARE(lead->text(), QString());
    QCOMPARE(agent->currentIndex(), 0);
    QCOMPARE(model()->totalCount(), m_calls.size());

    // Days, in local time; the newest generated day has calls.
    auto *range = child<QCheckBox>(u"dateRange"_s);
    auto *from = child<QDateEdit>(u"fromDate"_s);
    auto *to = child<QDateEdit>(u"toDate"_s);
    QVERIFY(!from->isEnabled());
    const QDate newestDay = generatedNewest().toLocalTime().date();
    from->setDate(newestDay);
    to->setDate(newestDay);
    QVERIFY(model()->filter().isEmpty()); // dates count only when switched on
    range->setChecked(true);
    QVERIFY(from->isEnabled());
    QVERIFY(model()->filter().startedFrom.has_value());
    QCOMPARE(model()->filter().startedFrom->toLocalTime(), newestDay.startOfDay());
    QCOMPARE(model()->filter().startedBefore->toLocalTime(), newestDay.addDays(1).startOfDay());
    QCOMPARE(model()->totalCount(), expectedIds(m_calls, model()->filter()).size());
    QVERIFY(model()->totalCount() > 0 && model()->totalCount() < m_calls.size());

    // A filter that matches nothing says so.
    lead->setText(u"nobody-by-this-name"_s);
    QTRY_COMPARE(model()->totalCount(), 0);
    QCOMPARE(table()->placeholderText(), u"No calls match these filters."_s);
    QTest::mouseClick(child<QPushButton>(u"clearFilters"_s), Qt::LeftButton);
    QVERIFY(model()->filter().isEmpty());
    QTRY_VERIFY(model()->rowCount() > 0);
    table()->setFocus();
}

void TestMainWindow::agentCommitsKeepSelectionAndScroll()
{
    // Somewhere down the list, a call playing.
    while (model()->rowCount() < 400 && model()->canFetchMore({}))
        model()->fetchMore({});
    QVERIFY(clickCall(kCachedOpus));
    table()->verticalScrollBar()->setValue(table()->rowViewportPosition(120) + table()->verticalScrollBar()->value());
    QTRY_COMPARE(table()->firstVisibleRow(), 120);
    const QString topId = callIdAt(120);
    const int selectedRow = table()->selectionModel()->currentIndex().row();
    QCOMPARE(callIdAt(selectedRow), kCachedOpus);
    QTRY_COMPARE(m_engine->state(), PlaybackEngine::State::Playing);

    // The agent commits five newer calls and deletes one above the selection.
    const QDateTime newest = model()->index(0, 0).data(CallTableModel::StartedAtRole).toDateTime();
    QList<Call> added;
    for (int i = 0; i < 5; ++i)
        added.append(makeCall(u"call-live-%1"_s.arg(i), newest.addSecs(60 * (i + 1))));
    QString deleted;
    for (int row = 0; row < selectedRow && deleted.isEmpty(); ++row) {
        if (callIdAt(row).startsWith(u"call-"_s))
            deleted = callIdAt(row); // a generated call, none the test plays later
    }
    QVERIFY(!deleted.isEmpty());
    commit(added);
    QVERIFY(writeTombstones(m_agent->connection(), {deleted}));
    m_session->checkForChanges();

    QCOMPARE(callIdAt(0), u"call-live-4"_s);
    QCOMPARE(model()->rowOfCall(deleted), -1);
    QCOMPARE(table()->selectionModel()->currentIndex().data(CallTableModel::CallIdRole).toString(), kCachedOpus);
    QCOMPARE(table()->selectionModel()->currentIndex().row(), selectedRow + 5 - 1);
    QCOMPARE(callIdAt(table()->firstVisibleRow()), topId); // what was in view stays in view
    QCOMPARE(m_window->shownCallId(), kCachedOpus);
    QCOMPARE(m_engine->state(), PlaybackEngine::State::Playing); // and it kept playing
    QCOMPARE(child<QLabel>(u"callCount"_s)->text(), u"%1 calls"_s.arg(m_calls.size() - 1));
    m_calls.removeIf([&](const Call &c) { return c.id == deleted; });
}

void TestMainWindow::newCallsAppearAtTheTop()
{
    table()->scrollToTop();
    QTRY_COMPARE(table()->firstVisibleRow(), 0);
    const QDateTime newest = model()->index(0, 0).data(CallTableModel::StartedAtRole).toDateTime();
    commit({makeCall(u"call-live-top"_s, newest.addSecs(30))});
    // At the top, the person sees the new call arrive: the timer-driven watcher finds it too.
    QTRY_COMPARE(callIdAt(0), u"call-live-top"_s);
    QCOMPARE(table()->firstVisibleRow(), 0);
    QCOMPARE(table()->selectionModel()->currentIndex().data(CallTableModel::CallIdRole).toString(), kCachedOpus);
}

void TestMainWindow::filterChoicesFollowTheStore()
{
    auto *list = child<QComboBox>(u"listFilter"_s);
    list->setCurrentIndex(list->findText(u"Win-back Q4"_s));
    QCOMPARE(model()->filter().listId, u"list-winback"_s);
    QCOMPARE(list->findText(u"Holiday offers"_s), -1);
    auto *outcome = child<QComboBox>(u"outcomeFilter"_s);
    QVERIFY(outcome->findText(u"Connected"_s) >= 0);
    QCOMPARE(outcome->findText(u"Payment promised"_s), -1);

    Call fresh = makeCall(u"call-live-holiday"_s, generatedNewest().addDays(-1));
    fresh.list = DialList{u"list-holiday"_s, u"Holiday offers"_s};
    fresh.outcome = u"payment_promised"_s; // outcomes are an open set
    commit({fresh});
    QTRY_VERIFY(list->findText(u"Holiday offers"_s) >= 0);
    QTRY_VERIFY(outcome->findText(u"Payment promised"_s) >= 0);
    QCOMPARE(list->currentText(), u"Win-back Q4"_s);
    QCOMPARE(model()->filter().listId, u"list-winback"_s);
    QTest::mouseClick(child<QPushButton>(u"clearFilters"_s), Qt::LeftButton);
    QTRY_VERIFY(model()->rowCount() > 0);
}

void TestMainWindow::syncProblemIsShown()
{
    auto *sync = child<QLabel>(u"syncStatus"_s);
    QVERIFY(!sync->text().contains(u"failed"_s));
    {
        WriteTransaction transaction(m_agent->connection());
        QVERIFY(SyncState(m_agent->connection())
                    .setValue(SyncState::kLastSyncError, u"The server did not answer (HTTP 503); retrying in 60 s."_s));
        QVERIFY(transaction.commit());
    }
    m_session->checkForChanges();
    QVERIFY2(sync->text().contains(u"Last sync failed: The server did not answer (HTTP 503)"_s),
             qPrintable(sync->text()));
    QVERIFY(sync->text().startsWith(u"Synced "_s)); // the last good pass still counts
    {
        // The detail after ": " goes to the tooltip: the status bar keeps what a person reads.
        WriteTransaction transaction(m_agent->connection());
        QVERIFY(SyncState(m_agent->connection())
                    .setValue(SyncState::kLastSyncError,
                              u"Cannot reach the Earshot server at https://calls.example while fetching the call list: "
                              "cannot connect to https://calls.example/api/calls (Could not resolve host)"_s));
        QVERIFY(transaction.commit());
    }
    m_session->checkForChanges();
    QVERIFY2(sync->text().endsWith(u"Last sync failed: Cannot reach the Earshot server at https://calls.example while "
                                   "fetching the call list"_s),
             qPrintable(sync->text()));
    QVERIFY2(sync->toolTip().contains(u"(Could not resolve host)"_s), qPrintable(sync->toolTip()));
    {
        WriteTransaction transaction(m_agent->connection());
        QVERIFY(SyncState(m_agent->connection()).remove(SyncState::kLastSyncError));
        QVERIFY(transaction.commit());
    }
    m_session->checkForChanges();
    QVERIFY(!sync->text().contains(u"failed"_s));
}

void TestMainWindow::agentStatusSaysWhatIsOut()
{
    AgentStatus status;
    status.state = AgentStatus::State::Connected;
    QCOMPARE(AgentStatusLabel::textFor(status), u"earshot-sync connected"_s);
    // Downloading: a queue that holds only the first window of what is due says so.
    status.queueLength = 5000;
    status.bytesPerSecond = 1'200'000;
    QCOMPARE(AgentStatusLabel::textFor(status), u"Downloading 5,000 recordings · 1.2 MB/s"_s);
    status.moreDue = true;
    QCOMPARE(AgentStatusLabel::textFor(status), u"Downloading 5,000+ recordings · 1.2 MB/s"_s);
    status.paused = true;
    QVERIFY(AgentStatusLabel::textFor(status).startsWith(u"Downloads paused"_s));
    status = AgentStatus{};
    status.state = AgentStatus::State::Connected;
    // The server out of reach: the word is Offline, and what still works.
    status.serverUnreachable = true;
    status.lastError = u"Cannot reach the Earshot server at https://calls.example while fetching the call list"_s;
    QVERIFY(AgentStatusLabel::textFor(status).startsWith(u"Offline: the server cannot be reached"_s));
    // The agent out of reach is not "Offline": it says what it is.
    status = AgentStatus{};
    status.state = AgentStatus::State::Offline;
    status.lastError = u"earshot-sync stopped."_s;
    QCOMPARE(AgentStatusLabel::textFor(status), u"earshot-sync stopped."_s);
}

void TestMainWindow::emptyStoreExplainsItself()
{
    QTemporaryDir empty;
    QVERIFY(empty.isValid());
    auto session = StoreSession::open(empty.path());
    QVERIFY2(session, qPrintable(session.error()));
    MainWindow window(**session, *m_engine, *m_opener, *m_agentConnection);
    window.setRemembersLayout(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *table = window.findChild<CallTableView *>(u"callTable"_s);
    QCOMPARE(table->model()->rowCount(), 0);
    QVERIFY(table->placeholderText().startsWith(u"No calls yet."_s));
    QCOMPARE(window.findChild<QLabel *>(u"syncStatus"_s)->text(), u"Not synced yet: is earshot-sync running?"_s);
    QCOMPARE(window.findChild<QLabel *>(u"callCount"_s)->text(), u"0 calls"_s);
}

void TestMainWindow::screenshot()
{
    QVERIFY(clickCall(kCachedMp3));
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->position() > 2500, kPlayTimeoutMs);
    QTest::qWait(200);
    const QString directory = qEnvironmentVariableIsSet("EARSHOT_SCREENSHOT_DIR")
        ? qEnvironmentVariable("EARSHOT_SCREENSHOT_DIR")
        : QDir::currentPath();
    const auto save = [&](const QString &suffix) {
        const QString path = QDir(directory).filePath(
            u"tst_mainwindow-%1%2.png"_s.arg(QGuiApplication::platformName(), suffix));
        const QPixmap picture = m_window->grab();
        QVERIFY(!picture.isNull());
        QVERIFY(picture.save(path));
        qInfo() << "screenshot:" << path << picture.size();
    };
    save(QString());
    // And a call that cannot play, with its reason.
    QVERIFY(clickCall(kPending));
    save(u"-unplayable"_s);
}

void TestMainWindow::layoutIsRemembered()
{
    QHeaderView *header = table()->horizontalHeader();
    header->resizeSection(CallTableModel::Lead, 333);
    m_window->resize(1000, 700);
    QCOMPARE(m_window->size(), QSize(1000, 700)); // fits a half-screen window
    m_window->close();
    const QSettings settings;
    QVERIFY(settings.contains(u"MainWindow/geometry"_s));
    QVERIFY(settings.contains(u"MainWindow/callTableHeader"_s));
    for (const QString &key : settings.allKeys())
        QVERIFY2(key.startsWith(u"MainWindow/"_s), qPrintable(key)); // nothing else, nothing secret

    MainWindow again(*m_session, *m_engine, *m_opener, *m_agentConnection);
    QCOMPARE(again.findChild<CallTableView *>(u"callTable"_s)->horizontalHeader()->sectionSize(CallTableModel::Lead),
             333);
    QCOMPARE(again.size(), QSize(1000, 700));
}

QTEST_MAIN(TestMainWindow)

