// tst_appagent, a damaged copy end to end: the person selects a call whose cached copy
// no longer authenticates (a flipped bit on disk). The window says so instead of playing
// noise, the app tells the agent, the agent reads the copy whole, deletes it (audited as
// recording.deleted_local, damaged_file) and fetches it again first, and the window then
// has the new copy ready to play, which plays.
#include "tst_appagent.h"

#include "cache/cacheformat.h"
#include "widgets/mainwindow.h"

namespace appagenttest {

namespace {

bool flipByte(const QString &path, qint64 offset)
{
    QFile file(path);
    char byte = 0;
    if (!file.open(QIODevice::ReadWrite) || !file.seek(offset) || !file.getChar(&byte) || !file.seek(offset))
        return false;
    return file.putChar(static_cast<char>(byte ^ 0x10));
}

} // namespace

void TstAppAgent::damagedCopyIsFetchedAgainAndPlays()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s, u"--recordings-dir"_s,
                           longRecordingsDir()}),
             qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir.path());
    QVERIFY(agent);
    RunningAgent running(*agent, server.url(), {});
    const auto cachedRow = [&] {
        const QList<StoredRecording> rows = StoreInspector(databasePath(dataDir.path())).recordings();
        return rows.size() == 1 && rows.constFirst().cacheState == u"present"_s ? std::optional(rows.constFirst())
                                                                                : std::nullopt;
    };
    QVERIFY2(waitUntil([&] { return cachedRow().has_value(); }, std::chrono::seconds(60)), running.log().constData());
    const StoredRecording before = *cachedRow();
    const QString damagedPath = QDir(cacheDir(dataDir.path())).filePath(before.cacheFile);
    QVERIFY(flipByte(damagedPath, earshot::cacheformat::kHeaderSize + 1000)); // in the first chunk
    const qint64 mediaBefore = mediaBytesServed(server.stats());

    AppEngine app;
    QVERIFY(app.open(dataDir.path()));
    MainWindow window(*app.session, *app.player, *app.opener, *app.agent);
    window.setRemembersLayout(false);
    window.resize(1280, 800);
    window.show();
    QVERIFY(waitUntil([&] { return app.agent->isConnected(); }, std::chrono::seconds(30)));
    QVERIFY(waitUntil([&] { return app.session->callModel()->rowCount() == 1; }, std::chrono::seconds(20)));
    auto *message = window.findChild<QLabel *>(u"playerMessage"_s);
    QVERIFY(message);
    QStringList messages;
    const QString shot = QDir(QStringLiteral(EARSHOT_TEST_BINARY_DIR)).filePath(u"tst_appagent-damaged.png"_s);
    QFile::remove(shot);
    QTimer watch;
    connect(&watch, &QTimer::timeout, this, [&] {
        if (!message->text().isEmpty() && (messages.isEmpty() || messages.constLast() != message->text())) {
            messages.append(message->text());
            // What the person sees while the agent fetches the copy again.
            if (message->text().contains(u"damaged"_s) && !QFile::exists(shot))
                window.grab().save(shot);
        }
    });
    watch.start(10);
    window.selectRow(0);
    QCOMPARE(window.shownCallId(), app.session->callModel()->callAt(0)->id);

    // The agent judged the copy damaged, deleted it with an audit event, and fetched it again.
    QVERIFY2(waitUntil([&] {
        const auto row = cachedRow();
        return row && row->cacheFile != before.cacheFile;
    }, std::chrono::seconds(60)), running.log().constData());
    QVERIFY(!QFileInfo::exists(damagedPath));
    {
        const StoreInspector store(databasePath(dataDir.path()));
        const QList<LocalAuditEvent> deletions = deletionEvents(store);
        QCOMPARE(store.count(u"audit_events"_s), qint64(1)); // no event of another kind either
        QCOMPARE(deletions.size(), 1);
        QCOMPARE(deletions.constFirst().recordingId, before.id);
        QCOMPARE(deletions.constFirst().reason, u"damaged_file"_s);
    }
    QVERIFY(mediaBytesServed(server.stats()) - mediaBefore >= before.sizeBytes);
    QVERIFY2(std::any_of(messages.cbegin(), messages.cend(), [](const QString &text) { return text.contains(u"damaged"_s); }),
             qPrintable(messages.join(u" | "_s)));

    // The window picks up the new copy for the selected call; it plays.
    QVERIFY2(waitUntil([&] { return app.player->hasSource() && message->text().isEmpty(); }, std::chrono::seconds(20)),
             qPrintable(message->text()));
    app.player->play();
    QVERIFY2(waitUntil([&] { return app.player->position() > 1000 || !app.player->errorString().isEmpty(); },
                       std::chrono::seconds(30)),
             "playback never started");
    QVERIFY2(app.player->errorString().isEmpty(), qPrintable(app.player->errorString()));
    watch.stop();
    qInfo() << "the player said:" << messages << "- the window then:" << shot;
    app.player->clearSource();
}

} // namespace appagenttest
