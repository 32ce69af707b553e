// The app's engine against the real agent: earshot-sync in loop mode, signed in to the
// reference server, downloading slowly under a bandwidth limit, and the app's own
// AgentConnection, RecordingOpener and Qt Multimedia engine (and the main window,
// offscreen) on the other end of the control socket. The status bar's numbers, a revoked
// session, pins, streaming a recording that is still downloading (WAV, MP3 and an M4A
// whose index is at its end) with a seek near the end, starting the agent when none
// runs, and the window's Sync menu (pause, the speed limit, keeping a filter offline).
#include "tst_appagent.h"

namespace appagenttest {

bool AppEngine::open(const QString &dataDir, std::optional<AgentLauncher> launcher)
{
    auto opened = StoreSession::open(dataDir);
    if (!opened) {
        qWarning().noquote() << opened.error();
        return false;
    }
    session = std::move(opened).value();
    session->setWatchInterval(std::chrono::milliseconds(100));
    keys = std::make_unique<CacheKeyLoader>(session->connection());
    keys->load();
    agent = std::make_unique<AgentConnection>(dataDir, std::move(launcher));
    opener = std::make_unique<RecordingOpener>(session->cacheDirectory(), CallQuery(session->connection()), *keys,
                                               *agent);
    QObject::connect(session.get(), &StoreSession::storeChanged, opener.get(), &RecordingOpener::checkStore);
    player = std::make_unique<QtMultimediaPlaybackEngine>();
    agent->start();
    return true;
}

bool SlowDownloads::start(const QString &recordingsDir, int calls)
{
    if (!server.start({u"--calls"_s, QString::number(calls), u"--one-recording-per-file"_s, u"--recordings-dir"_s,
                       recordingsDir})) {
        qWarning().noquote() << server.error();
        return false;
    }
    agent = signedInAgent(server, dataDir.path());
    if (!agent)
        return false;
    running = std::make_unique<RunningAgent>(
        *agent, server.url(), QStringList{u"--bandwidth-limit"_s, kBandwidthLimit, u"--parallel"_s, u"1"_s});
    return true;
}

QString longRecordingsDir()
{
    return QStringLiteral(EARSHOT_LONG_RECORDINGS_DIR);
}

// A recordings folder with `fixture` twice under two names, for a server with two calls.
QString folderWithTwoCopies(const QTemporaryDir &scratch, const testsupport::FixtureRecording &fixture)
{
    const QString dir = scratch.filePath(fixture.file + u".d"_s);
    QDir().mkpath(dir);
    QFile manifest(QDir(dir).filePath(u"manifest.tsv"_s));
    if (!manifest.open(QIODevice::WriteOnly))
        return {};
    manifest.write("file\tformat\tchannels\tduration_seconds\tsize_bytes\tsha256\n");
    for (const QString &copy : QStringList{u"a-"_s + fixture.file, u"b-"_s + fixture.file}) {
        QFile::link(fixture.path, QDir(dir).filePath(copy));
        manifest.write(u"%1\t%2\t%3\t%4\t%5\t%6\n"_s
                           .arg(copy, fixture.format)
                           .arg(fixture.channels)
                           .arg(fixture.durationSeconds, 0, 'f', 3)
                           .arg(fixture.sizeBytes)
                           .arg(fixture.sha256)
                           .toUtf8());
    }
    return dir;
}

// A call whose recording the agent has not started downloading yet (it works on one at a
// time), once it has started one.
std::optional<CallRow> callNotUnderway(StoreSession &session, const QString &dataDir)
{
    IpcClient control(ipc::socketPathFor(dataDir));
    if (!control.waitForConnected(std::chrono::seconds(5)))
        return std::nullopt;
    QStringList underway;
    const bool started = waitUntil([&] {
        const auto status = control.requestAndWait(u"status"_s);
        underway.clear();
        const QJsonArray transfers = status ? status->value("transfers"_L1).toArray() : QJsonArray();
        for (const QJsonValue &transfer : transfers)
            underway.append(transfer.toObject().value("recording_id"_L1).toString());
        return !underway.isEmpty();
    }, std::chrono::seconds(30));
    auto page = CallQuery(session.connection()).fetchPage({}, std::nullopt, 10);
    if (!started || !page)
        return std::nullopt;
    for (const CallRow &call : std::as_const(*page)) {
        if (!underway.contains(call.recordingId) && call.cacheState != CacheState::Present)
            return call;
    }
    return std::nullopt;
}

qint64 cachedBytes(const QString &dataDir)
{
    StoreInspector store(databasePath(dataDir));
    QSqlQuery query(u"SELECT sum(cached_bytes) FROM recordings"_s, store.connection());
    return query.next() ? query.value(0).toLongLong() : -1;
}

qint64 callCount(StoreSession &session)
{
    const auto count = CallQuery(session.connection()).count({});
    return count ? *count : -1;
}

void TstAppAgent::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(EARSHOT_SYNC_PATH)), "the agent binary is not built: " EARSHOT_SYNC_PATH);
    QString error;
    QVERIFY2(keychainWorks(&error), qPrintable(error));
    m_long = testsupport::readFixtureManifest(longRecordingsDir(), &error);
    QVERIFY2(m_long.size() == 3, qPrintable(error));
}

void TstAppAgent::statusPinsScreenshotAndARevokedSession()
{
    SlowDownloads downloads;
    QVERIFY(downloads.start(longRecordingsDir(), 3));
    AppEngine app;
    QVERIFY(app.open(downloads.dataDir.path()));

    // The status bar's numbers come from the running agent.
    QVERIFY2(waitUntil([&] { return app.agent->status().isSyncing() && app.agent->status().queueLength > 0; },
                       std::chrono::seconds(30)),
             qPrintable(app.agent->status().lastError + u'\n' + QString::fromUtf8(downloads.running->log())));
    QVERIFY(app.agent->isConnected());
    QVERIFY(!app.agent->status().authRequired);
    QVERIFY2(waitUntil([&] { return app.agent->status().bytesPerSecond > 0; }, std::chrono::seconds(20)),
             "no download speed in the status");
    QVERIFY2(app.agent->status().bytesPerSecond < 400'000,
             qPrintable(u"%1 B/s under a 128K limit"_s.arg(app.agent->status().bytesPerSecond)));

    // The main window while a recording that is not cached yet streams.
    MainWindow window(*app.session, *app.player, *app.opener, *app.agent);
    window.setRemembersLayout(false);
    window.resize(1280, 800);
    window.show();
    QVERIFY(waitUntil([&] { return app.session->callModel()->rowCount() == 3; }, std::chrono::seconds(20)));
    int streamedRow = -1;
    for (int row = 0; row < 3 && streamedRow < 0; ++row) {
        if (app.session->callModel()->callAt(row)->cacheState != CacheState::Present)
            streamedRow = row;
    }
    QVERIFY2(streamedRow >= 0, "every recording was cached before the window opened");
    window.selectRow(streamedRow);
    QVERIFY2(waitUntil([&] { return app.player->position() > 1500; }, std::chrono::seconds(30)),
             qPrintable(app.player->errorString()));
    const auto *agentLabel = window.findChild<QLabel *>(u"agentStatus"_s);
    QVERIFY(agentLabel);
    QVERIFY2(agentLabel->text().startsWith(u"Downloading"_s), qPrintable(agentLabel->text()));
    const QString shot = QDir(QStringLiteral(EARSHOT_TEST_BINARY_DIR)).filePath(u"tst_appagent-streaming.png"_s);
    QVERIFY(window.grab().save(shot));
    qInfo() << "screenshot while streaming:" << shot;
    window.close();
    app.player->clearSource();

    // pin and unpin land in the pins table the agent writes.
    const CallRow call = *app.session->callModel()->callAt(0);
    std::optional<bool> pinAnswered;
    app.agent->pin(u"call"_s, call.id, this, [&](const Expected<QJsonObject> &answer) { pinAnswered = answer.hasValue(); });
    QVERIFY(waitUntil([&] { return pinAnswered.has_value(); }, std::chrono::seconds(20)));
    QVERIFY(*pinAnswered);
    auto pins = PinStore(app.session->connection()).pins();
    QVERIFY2(pins, qPrintable(pins.error()));
    QCOMPARE(pins->size(), 1);
    QVERIFY(pins->constFirst().kind == Pin::Kind::Call);
    QCOMPARE(pins->constFirst().target, call.id);
    std::optional<Expected<QJsonObject>> unpinAnswer;
    app.agent->unpin(u"call"_s, call.id, this, [&](const Expected<QJsonObject> &answer) { unpinAnswer = answer; });
    QVERIFY(waitUntil([&] { return unpinAnswer.has_value(); }, std::chrono::seconds(20)));
    QVERIFY2(unpinAnswer->hasValue(), qPrintable(unpinAnswer->error()));
    QCOMPARE(PinStore(app.session->connection()).pins()->size(), 0);
    std::optional<Expected<QJsonObject>> badPin;
    app.agent->pin(u"planet"_s, call.id, this, [&](const Expected<QJsonObject> &answer) { badPin = answer; });
    QVERIFY(waitUntil([&] { return badPin.has_value(); }, std::chrono::seconds(20)));
    QVERIFY(!badPin->hasValue());
    QVERIFY2(!badPin->error().isEmpty(), "a refused pin says why");

    // The server revokes the session: the status says to sign in again, until one does.
    // The agent only learns it from its next request: lift the bandwidth limit so that the
    // slow pass under way ends, then ask for a pass, whose first request is refused.
    IpcClient control(ipc::socketPathFor(downloads.dataDir.path()));
    QVERIFY(control.waitForConnected(std::chrono::seconds(5)));
    QVERIFY(control.requestAndWait(u"set_bandwidth_limit"_s, {{"bytes_per_second"_L1, 0}}));
    QVERIFY2(waitUntil([&] {
                 const auto status = control.requestAndWait(u"status"_s);
                 return status && !status->value("pass_running"_L1).toBool();
             }, std::chrono::seconds(60)),
             "the pass did not end once the downloads ran at full speed");
    QVERIFY(downloads.server.adminPost(u"/__admin/tokens/expire"_s, {{"refresh"_L1, true}}));
    app.agent->syncNow(this, [](const Expected<QJsonObject> &) {});
    QVERIFY2(waitUntil([&] { return app.agent->status().authRequired; }, std::chrono::seconds(30)),
             downloads.running->log().constData());
    QVERIFY(app.agent->isConnected());
    const AgentRun login = downloads.agent->login(downloads.server.url(), kEmail, kPassword);
    QVERIFY2(login.exitCode == 0, login.describe().constData());
    QVERIFY2(waitUntil([&] { return !app.agent->status().authRequired; }, std::chrono::seconds(30)),
             downloads.running->log().constData());
}

void TstAppAgent::streamsWhileTheAgentDownloads_data()
{
    QTest::addColumn<QString>("file");
    for (const auto &fixture : std::as_const(m_long))
        QTest::newRow(qPrintable(fixture.format)) << fixture.file;
}

void TstAppAgent::streamsWhileTheAgentDownloads()
{
    QFETCH(QString, file);
    const auto fixture = std::find_if(m_long.cbegin(), m_long.cend(), [&](const auto &f) { return f.file == file; });
    QVERIFY(fixture != m_long.cend());
    const QString folder = folderWithTwoCopies(m_scratch, *fixture);
    QVERIFY(!folder.isEmpty());
    SlowDownloads downloads;
    QVERIFY(downloads.start(folder, 2));
    AppEngine app;
    QVERIFY(app.open(downloads.dataDir.path()));
    QSignalSpy cached(app.agent.get(), &AgentConnection::recordingCached);
    QVERIFY(waitUntil([&] { return app.agent->isConnected(); }, std::chrono::seconds(30)));
    // Not the one the agent is downloading: see the report of a recording under way below.
    const auto waiting = callNotUnderway(*app.session, downloads.dataDir.path());
    QVERIFY2(waiting, "no recording waits in the agent's queue");
    const CallRow call = *waiting;
    qInfo() << "opening with" << cachedBytes(downloads.dataDir.path()) << "of" << fixture->sizeBytes << "bytes cached";

    QElapsedTimer sinceOpen;
    sinceOpen.start();

    std::optional<Expected<OpenedRecording>> opened;
    app.opener->open(call, [&](Expected<OpenedRecording> recording) { opened = std::move(recording); });
    QVERIFY(waitUntil([&] { return opened.has_value(); }, std::chrono::seconds(30)));
    QVERIFY2(opened->hasValue(), qPrintable(opened->error()));
    qInfo() << "opened after" << sinceOpen.elapsed() << "ms with" << cachedBytes(downloads.dataDir.path()) << "bytes cached";
    QVERIFY2((*opened)->streaming, downloads.running->log().constData());
    // Opening it told the agent, whose quota now evicts it last.
    const qint64 openedAt = QDateTime::currentMSecsSinceEpoch() - sinceOpen.elapsed();
    QVERIFY2(waitUntil([&] {
        return StoreInspector(databasePath(downloads.dataDir.path()))
                   .recordingColumn(call.recordingId, u"last_accessed_at"_s).toLongLong() >= openedAt;
    }, std::chrono::seconds(10)), downloads.running->log().constData());
    QPointer<CacheFileSource> source = qobject_cast<CacheFileSource *>((*opened)->device.get());
    QVERIFY(source);
    app.player->setSource(std::move((*opened)->device), (*opened)->formatHint);
    app.player->play();

    // It plays while most of the recording is still on its way.
    QVERIFY2(waitUntil([&] { return app.player->position() > 1000 || !app.player->errorString().isEmpty(); },
                       std::chrono::seconds(30)),
             "playback never started");
    QVERIFY2(app.player->errorString().isEmpty(), qPrintable(app.player->errorString()));
    const qint64 startedAfter = sinceOpen.elapsed();
    QVERIFY2(cached.isEmpty(), "the recording was complete before it played");
    const qint64 cachedBytesAtStart = cachedBytes(downloads.dataDir.path());
    qInfo() << fixture->format << "playing after" << startedAfter << "ms with" << cachedBytesAtStart << "of"
            << fixture->sizeBytes << "bytes cached";
    QVERIFY(source->isDownloading());

    // A seek near the end plays too (the agent fetches that part first).
    QVERIFY(waitUntil([&] { return app.player->duration() > 0; }, std::chrono::seconds(10)));
    const qint64 nearEnd = app.player->duration() - 6000;
    app.player->seek(nearEnd);
    QVERIFY2(waitUntil([&] { return app.player->position() > nearEnd + 1000 || !app.player->errorString().isEmpty(); },
                       std::chrono::seconds(30)),
             qPrintable(u"stuck at %1 ms of %2"_s.arg(app.player->position()).arg(app.player->duration())));
    QVERIFY2(app.player->errorString().isEmpty(), qPrintable(app.player->errorString()));
    const bool seekBeforeCached = cached.isEmpty();
    qInfo() << "the seek to" << nearEnd << "ms played" << (seekBeforeCached ? "before" : "after")
            << "the download completed";

    // Once cached, the source reads the final file; the server sent each byte about once.
    const auto cachedIt = [&] {
        return std::any_of(cached.cbegin(), cached.cend(),
                           [&](const QList<QVariant> &event) { return event.constFirst().toString() == call.recordingId; });
    };
    QVERIFY2(waitUntil(cachedIt, std::chrono::seconds(60)), downloads.running->log().constData());
    QVERIFY(waitUntil([&] { return source && !source->isDownloading(); }, std::chrono::seconds(10)));
    QVERIFY2(!source->fileName().endsWith(u".part"_s), qPrintable(source->fileName()));
    QVERIFY(QFileInfo::exists(source->fileName()));
    qint64 served = 0;
    // Both copies, each about once: the other one downloads meanwhile.
    QVERIFY(waitUntil([&] { return cachedBytes(downloads.dataDir.path()) == 2 * fixture->sizeBytes; },
                      std::chrono::seconds(60)));
    served = mediaBytesServed(downloads.server.stats());
    qInfo() << served << "media bytes served for two copies of" << fixture->sizeBytes;
    QVERIFY2(served <= 2 * fixture->sizeBytes + 4 * kChunk,
             qPrintable(u"%1 bytes served for %2"_s.arg(served).arg(fixture->sizeBytes)));
    app.player->seek(1000);
    app.player->play();
    QVERIFY(waitUntil([&] { return app.player->position() > 2000; }, std::chrono::seconds(20)));
    QVERIFY2(app.player->errorString().isEmpty(), qPrintable(app.player->errorString()));
    app.player->clearSource();
}

void TstAppAgent::launchesTheAgentWhenNoneRuns()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"5"_s, u"--no-recordings"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    QVERIFY(signedInAgent(server, dataDir.path()));
    AppEngine app;
    QVERIFY(app.open(dataDir.path(), AgentLauncher(dataDir.path(), QStringLiteral(EARSHOT_SYNC_PATH))));
    QVERIFY2(waitUntil([&] { return app.agent->isConnected(); }, std::chrono::seconds(30)),
             qPrintable(app.agent->status().lastError));
    // The launched agent syncs with the server it remembered at login.
    QVERIFY(waitUntil([&] { return callCount(*app.session) == 5; }, std::chrono::seconds(30)));

    // It runs detached: stop it through its socket.
    IpcClient control(ipc::socketPathFor(dataDir.path()));
    QVERIFY(control.waitForConnected(std::chrono::seconds(5)));
    QVERIFY(control.requestAndWait(u"shutdown"_s).hasValue());
    QVERIFY(waitUntil([&] { return !app.agent->isConnected(); }, std::chrono::seconds(30)));
}

// The person's controls over the agent, from the window's Sync menu, against the real
// agent: pause holds the downloads and resume lets them go on; the speed limit set in its
// dialog reaches the agent, which remembers it; the current filter is kept offline as a
// pin, and let go again.
void TstAppAgent::syncMenuPausesLimitsAndKeepsAFilterOffline()
{
    SlowDownloads downloads;
    QVERIFY(downloads.start(longRecordingsDir(), 3));
    AppEngine app;
    QVERIFY(app.open(downloads.dataDir.path()));
    MainWindow window(*app.session, *app.player, *app.opener, *app.agent);
    window.setRemembersLayout(false);
    window.resize(1280, 800);
    window.show();
    QVERIFY2(waitUntil([&] { return app.agent->isConnected() && app.agent->status().bandwidthLimit == 128 * 1024; },
                       std::chrono::seconds(30)),
             qPrintable(app.agent->status().lastError));
    auto *menu = window.findChild<QMenu *>(u"syncMenu"_s);
    QVERIFY(menu);
    const auto action = [&](const QString &name) { return menu->findChild<QAction *>(name); };
    QAction *pause = action(u"pauseDownloads"_s);
    QAction *limit = action(u"bandwidthLimit"_s);
    QAction *keepFilter = action(u"keepFilterOffline"_s);
    QVERIFY(pause && limit && keepFilter && action(u"syncNow"_s));
    QVERIFY2(limit->text().contains(u"131 kB/s"_s), qPrintable(limit->text()));
    IpcClient control(ipc::socketPathFor(downloads.dataDir.path()));
    QVERIFY(control.waitForConnected(std::chrono::seconds(5)));
    const auto agentStatus = [&](const char *key) {
        const auto status = control.requestAndWait(u"status"_s);
        return status ? status->value(QLatin1StringView(key)) : QJsonValue();
    };

    // Pause: the agent stops its transfers, the status bar says so and how to go on.
    pause->trigger();
    QVERIFY(waitUntil([&] { return app.agent->status().paused; }, std::chrono::seconds(10)));
    QVERIFY(pause->isChecked());
    QVERIFY(waitUntil([&] { return agentStatus("transfers_underway").toInt(-1) == 0; }, std::chrono::seconds(20)));
    QCOMPARE(agentStatus("state").toString(), u"paused"_s);
    const auto *agentLabel = window.findChild<QLabel *>(u"agentStatus"_s);
    QVERIFY(agentLabel);
    QVERIFY2(agentLabel->text().startsWith(u"Downloads paused"_s), qPrintable(agentLabel->text()));
    menu->popup(window.mapToGlobal(QPoint(10, 30)));
    QTest::qWait(100);
    const QString shot = QDir(QStringLiteral(EARSHOT_TEST_BINARY_DIR)).filePath(u"tst_appagent-syncmenu.png"_s);
    QVERIFY(menu->grab().save(shot));
    qInfo() << "the Sync menu while paused:" << shot;
    menu->hide();
    pause->trigger();
    QVERIFY(waitUntil([&] { return !app.agent->status().paused; }, std::chrono::seconds(10)));
    QVERIFY(waitUntil([&] { return agentStatus("state").toString() == "online"_L1; }, std::chrono::seconds(20)));

    // The limit, typed into its dialog in kB/s.
    QTimer::singleShot(200, this, [] {
        if (auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget())) {
            dialog->setIntValue(500);
            dialog->accept();
        }
    });
    limit->trigger(); // runs the dialog
    QVERIFY(waitUntil([&] { return app.agent->status().bandwidthLimit == 500'000; }, std::chrono::seconds(10)));
    QCOMPARE(agentStatus("bandwidth_limit").toInteger(), 500'000);
    QVERIFY2(limit->text().contains(u"500 kB/s"_s), qPrintable(limit->text()));
    const QSettings remembered(QDir(downloads.dataDir.path()).filePath(u"agent.ini"_s), QSettings::IniFormat);
    QCOMPARE(remembered.value(u"sync/bandwidth_limit"_s).toLongLong(), 500'000);

    // Keeping a filter offline needs a filter; then it becomes a pin the menu shows checked.
    Q_EMIT menu->aboutToShow();
    QVERIFY(!keepFilter->isEnabled());
    QVERIFY(waitUntil([&] { return app.session->callModel()->rowCount() == 3; }, std::chrono::seconds(20)));
    auto *leadText = window.findChild<QLineEdit *>(u"leadText"_s);
    QVERIFY(leadText);
    const QString leadName = app.session->callModel()->callAt(0)->leadName;
    leadText->setText(leadName);
    QVERIFY(waitUntil([&] {
        Q_EMIT menu->aboutToShow();
        return keepFilter->isEnabled();
    }, std::chrono::seconds(5)));
    QVERIFY(!keepFilter->isChecked());
    keepFilter->trigger();
    const auto filterPins = [&] {
        QStringList targets;
        const auto pins = PinStore(app.session->connection()).pins();
        for (const Pin &pin : pins ? *pins : QList<Pin>{}) {
            if (pin.kind == Pin::Kind::Filter)
                targets.append(pin.target);
        }
        return targets;
    };
    QVERIFY(waitUntil([&] { return filterPins().size() == 1; }, std::chrono::seconds(10)));
    QVERIFY2(filterPins().constFirst().contains(leadName), qPrintable(filterPins().constFirst()));
    Q_EMIT menu->aboutToShow();
    QVERIFY(keepFilter->isChecked());
    keepFilter->trigger();
    QVERIFY(waitUntil([&] { return filterPins().isEmpty(); }, std::chrono::seconds(10)));
}

} // namespace appagenttest

int main(int argc, char *argv[])
{
    return agenttesting::runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QApplication application(count, arguments);
        appagenttest::TstAppAgent test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

