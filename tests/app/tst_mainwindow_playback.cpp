// The main window's player: a cached call plays with a moving slider and the keyboard
// controls it, a WAV with an odd sample count plays, other calls say why they cannot
// play, and a download that lands while the call is selected makes it playable.

#include "tst_mainwindow.h"

#include "datadirectory.h"

#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>

void TestMainWindow::selectingCachedCallPlaysAndSliderMoves()
{
    auto *slider = child<QSlider>(u"seekSlider"_s);
    auto *position = child<QLabel>(u"positionLabel"_s);
    QVERIFY(!slider->isEnabled());
    QVERIFY(clickCall(kCachedMp3));
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->state(), PlaybackEngine::State::Playing, kPlayTimeoutMs);
    QVERIFY(slider->isEnabled());
    QVERIFY(child<QLabel>(u"callSummary"_s)->text().startsWith(u"Lead of cached-mp3 (+1 555-777-0003)"_s));
    QCOMPARE(playerMessage(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(slider->value() > 500, kPlayTimeoutMs);
    const int earlier = slider->value();
    QTRY_VERIFY(slider->value() > earlier + 300);
    QCOMPARE(slider->maximum(), int(m_engine->duration()));
    QCOMPARE(child<QLabel>(u"durationLabel"_s)->text(), u"0:17"_s);
    QTRY_COMPARE(position->text(), u"0:01"_s);

    // A click on the groove goes there, not a page step towards it.
    const QPoint fourFifths(slider->width() * 4 / 5, slider->height() / 2);
    QTest::mouseClick(slider, Qt::LeftButton, {}, fourFifths);
    const qint64 expected = m_engine->duration() * 4 / 5;
    QTRY_VERIFY2(std::abs(m_engine->position() - expected) < 1500,
                 qPrintable(u"at %1 ms after a click at %2 ms"_s.arg(m_engine->position()).arg(expected)));
    m_engine->seek(1000); // the next test seeks both ways from here
    QTRY_VERIFY(m_engine->position() < 3000);
}

void TestMainWindow::keyboardControlsPlayback()
{
    QCOMPARE(m_window->shownCallId(), kCachedMp3);
    QTRY_COMPARE(m_engine->state(), PlaybackEngine::State::Playing);
    table()->setFocus();

    QTest::keyClick(table(), Qt::Key_Space);
    QTRY_COMPARE(m_engine->state(), PlaybackEngine::State::Paused);
    QTest::keyClick(table(), Qt::Key_Space);
    QTRY_COMPARE(m_engine->state(), PlaybackEngine::State::Playing);

    const qint64 before = m_engine->position();
    QTest::keyClick(table(), Qt::Key_Right);
    QTRY_VERIFY(m_engine->position() >= before + 4000);
    const qint64 later = m_engine->position();
    QTest::keyClick(table(), Qt::Key_Left);
    QTRY_VERIFY(m_engine->position() <= later - 3000);
    // Left and Right seek instead of moving across columns; the selection stays.
    QCOMPARE(m_window->shownCallId(), kCachedMp3);

    // Where Space types, it types.
    auto *lead = child<QLineEdit>(u"leadText"_s);
    lead->setFocus();
    QTest::keyClicks(lead, u"a b"_s);
    QCOMPARE(lead->text(), u"a b"_s);
    QCOMPARE(m_engine->state(), PlaybackEngine::State::Playing);
    QTest::mouseClick(child<QPushButton>(u"clearFilters"_s), Qt::LeftButton);
    QVERIFY(model()->filter().isEmpty());
    QTRY_VERIFY(model()->rowCount() > 0);
    table()->setFocus();
}

void TestMainWindow::wavWithOddSampleCountPlays()
{
    QVERIFY(clickCall(kCachedUlaw));
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->position() > 500, kPlayTimeoutMs);
    QCOMPARE(m_engine->errorString(), QString());
    QVERIFY(clickCall(kCachedOpus));
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->position() > 500, kPlayTimeoutMs);
    QCOMPARE(child<QLabel>(u"durationLabel"_s)->text(), u"0:14"_s);
}

void TestMainWindow::uncachedCallsSayWhy_data()
{
    QTest::addColumn<QString>("callId");
    QTest::addColumn<QString>("reason");
    QTest::newRow("available") << kAvailable << u"not downloaded yet"_s;
    QTest::newRow("pending") << kPending << u"still processing"_s;
    QTest::newRow("no recording") << kNoRecording << u"has no recording"_s;
    QTest::newRow("cache file gone") << kCachedMissingFile << u"cannot open"_s;
}

void TestMainWindow::uncachedCallsSayWhy()
{
    QFETCH(QString, callId);
    QFETCH(QString, reason);
    QVERIFY(clickCall(callId));
    QTRY_VERIFY2(playerMessage().contains(reason), qPrintable(playerMessage()));
    QVERIFY(!m_engine->hasSource());
    QTRY_COMPARE(m_engine->state(), PlaybackEngine::State::Stopped);
    QVERIFY(!child<QSlider>(u"seekSlider"_s)->isEnabled());
    QVERIFY(child<QLabel>(u"callSummary"_s)->text().startsWith(u"Lead of "_s + callId));
    // Space does nothing harmful here.
    QTest::keyClick(table(), Qt::Key_Space);
    QCOMPARE(m_engine->state(), PlaybackEngine::State::Stopped);
}

void TestMainWindow::downloadWhileSelectedMakesItPlayable()
{
    QVERIFY(clickCall(kAvailable));
    QTRY_VERIFY2(playerMessage().contains(u"not downloaded yet"_s), qPrintable(playerMessage()));
    // No agent runs: the player says so instead of waiting.
    QVERIFY2(playerMessage().contains(u"earshot-sync is not running"_s), qPrintable(playerMessage()));
    const Call &available = call(kAvailable);
    const QString fileName = available.id + u".m4a"_s;
    const auto source = std::find_if(m_fixtures.cbegin(), m_fixtures.cend(),
                                     [](const auto &f) { return f.file == u"billing-mono.m4a"_s; });
    const QString written = writeEncryptedCopy(
        source->path, QDir(DataDirectory::cacheDirectory(m_dataDir)).filePath(fileName), m_key);
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QVERIFY(markCached(m_agent->connection(), {available}, {kAvailable}, [&](const Call &) { return fileName; }));
    m_session->checkForChanges();

    // Ready to play, without starting on its own.
    QTRY_VERIFY(m_engine->hasSource());
    QCOMPARE(playerMessage(), QString());
    QCOMPARE(m_engine->state(), PlaybackEngine::State::Stopped);
    QCOMPARE(model()->index(model()->rowOfCall(kAvailable), CallTableModel::Recording).data().toString(),
             u"Cached"_s);
    QTest::keyClick(table(), Qt::Key_Space);
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->position() > 300, kPlayTimeoutMs);
}
