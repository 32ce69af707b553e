// QtMultimediaPlaybackEngine on every fixture recording format, read from the encrypted
// cache the way the app reads it (written by EncryptedCacheWriter, read by
// CacheFileSource): it plays, knows the duration, seeks, reports broken and tampered
// files through errorOccurred() instead of crashing, hanging or playing garbage, and
// plays a download that is still growing, waiting where the bytes are not there yet.

#include "cache/cachecipher.h"
#include "cache/encryptedcachewriter.h"
#include "fixturerecordings.h"
#include "playback/cachefilesource.h"
#include "playback/qtmultimediaplaybackengine.h"
#include "playback/wavpadding.h"

#include <QBuffer>
#include <QFile>
#include <QtEndian>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace earshot;
using namespace earshot::testsupport;

namespace {

constexpr int kStartTimeoutMs = 15000;

std::unique_ptr<QFile> openFile(const QString &path)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        qWarning() << "cannot open" << path << file->errorString();
    return file;
}

QUrl hintFor(const QString &format)
{
    return QUrl(u"recording."_s + format);
}

} // namespace

class TestPlayback : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void playsDurationAndSeek_data();
    void playsDurationAndSeek();
    void playsAcrossChunksToTheEnd_data();
    void playsAcrossChunksToTheEnd();
    void pauseHoldsPosition();
    void replacingTheSourceReleasesTheOldFile();
    void switchingQuicklyBetweenRecordings();
    void clearSourceStops();

    void oddWavDataHidesPadByte();
    void brokenFilesReportErrors_data();
    void brokenFilesReportErrors();
    void unopenedDeviceIsAnError();

    void tamperedCacheFileIsAClearError();
    void damageInACompressedRecordingIsAClearError_data();
    void damageInACompressedRecordingIsAClearError();
    void growingDownloadPlaysAndWaitsForItsBytes_data();
    void growingDownloadPlaysAndWaitsForItsBytes();
    void partialDroppedByTheAgentFailsWithWhatToDo();

private:
    const FixtureRecording &fixture(const QString &file) const;

    std::unique_ptr<CacheFileSource> encryptedCopy(const FixtureRecording &recording);

    QList<FixtureRecording> m_fixtures;
    QTemporaryDir m_scratch;
    QByteArray m_key = CacheCipher::generateKey();
};

std::unique_ptr<CacheFileSource> TestPlayback::encryptedCopy(const FixtureRecording &recording)
{
    const QString path = m_scratch.filePath(recording.file + u".enc"_s);
    if (const QString problem = writeEncryptedCopy(recording.path, path, m_key); !problem.isEmpty()) {
        qWarning() << problem;
        return nullptr;
    }
    auto source = CacheFileSource::open(path, m_key);
    if (!source) {
        qWarning() << source.error();
        return nullptr;
    }
    return std::move(source).value();
}

void TestPlayback::initTestCase()
{
    QString error;
    m_fixtures = readFixtureManifest(QStringLiteral(EARSHOT_FIXTURE_RECORDINGS_DIR), &error);
    QVERIFY2(!m_fixtures.isEmpty(), qPrintable(error));
    QVERIFY(m_scratch.isValid());
    QSet<QString> formats;
    for (const FixtureRecording &recording : std::as_const(m_fixtures))
        formats.insert(recording.format + u'/' + QString::number(recording.channels));
    qInfo() << "fixture formats:" << formats.values();
}

const FixtureRecording &TestPlayback::fixture(const QString &file) const
{
    const auto found = std::find_if(m_fixtures.cbegin(), m_fixtures.cend(),
                                    [&](const FixtureRecording &recording) { return recording.file == file; });
    Q_ASSERT(found != m_fixtures.cend());
    return *found;
}

void TestPlayback::playsDurationAndSeek_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("format");
    QTest::addColumn<double>("durationSeconds");
    for (const FixtureRecording &recording : std::as_const(m_fixtures))
        QTest::newRow(qPrintable(recording.file)) << recording.path << recording.format << recording.durationSeconds;
}

void TestPlayback::playsDurationAndSeek()
{
    QFETCH(QString, path);
    QFETCH(QString, format);
    QFETCH(double, durationSeconds);

    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    QSignalSpy states(&engine, &PlaybackEngine::stateChanged);
    const auto found = std::find_if(m_fixtures.cbegin(), m_fixtures.cend(),
                                    [&](const FixtureRecording &recording) { return recording.path == path; });
    auto source = encryptedCopy(*found);
    QVERIFY(source);
    engine.setSource(std::move(source), hintFor(format));
    QVERIFY(engine.hasSource());
    engine.play();

    // It plays: the position advances in real time.
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= 600 || !errors.isEmpty(), kStartTimeoutMs);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
    QCOMPARE(engine.state(), PlaybackEngine::State::Playing);
    QVERIFY(!states.isEmpty());

    // It knows how long the recording is. ADTS AAC carries no length: the decoder
    // estimates it from the bit rate of the first frames, a few per cent off.
    QTRY_VERIFY_WITH_TIMEOUT(engine.duration() > 0, 5000);
    const double measured = double(engine.duration()) / 1000.0;
    const double tolerance = format == u"aac" ? durationSeconds * 0.08 : std::max(0.35, durationSeconds * 0.02);
    QVERIFY2(std::abs(measured - durationSeconds) <= tolerance,
             qPrintable(u"duration %1 s, manifest says %2 s"_s.arg(measured).arg(durationSeconds)));

    // Seeking to 5 s lands there, and playback goes on from there.
    engine.seek(5000);
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= 4000 && engine.position() <= 6000, 3000);
    const qint64 landed = engine.position();
    QVERIFY2(std::abs(landed - 5000) <= 1000, qPrintable(u"landed at %1 ms"_s.arg(landed)));
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= landed + 400, 5000);
    QVERIFY2(engine.position() < 8000, qPrintable(u"at %1 ms after seeking to 5 s"_s.arg(engine.position())));
    QCOMPARE(engine.state(), PlaybackEngine::State::Playing);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
}

void TestPlayback::playsAcrossChunksToTheEnd_data()
{
    QTest::addColumn<QString>("file");
    // One recording of each format that spans chunks: decoders pull from the cache
    // reader in frames, and a frame that straddles two chunks must not end the stream.
    QSet<QString> formats;
    for (const FixtureRecording &recording : std::as_const(m_fixtures)) {
        if (QFileInfo(recording.path).size() <= cacheformat::kDefaultChunkSize || formats.contains(recording.format))
            continue;
        formats.insert(recording.format);
        QTest::newRow(qPrintable(recording.file)) << recording.file;
    }
    QVERIFY2(formats.size() >= 4, "the fixtures should hold several formats larger than one cache chunk");
}

void TestPlayback::playsAcrossChunksToTheEnd()
{
    QFETCH(QString, file);
    const FixtureRecording &recording = fixture(file);
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    auto source = encryptedCopy(recording);
    QVERIFY(source);
    const qint64 size = source->size();
    engine.setSource(std::move(source), hintFor(recording.format));
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(engine.duration() > 0 && engine.position() > 0, kStartTimeoutMs);

    // A second before the last chunk starts (bytes to time as if the bit rate were constant).
    const qint64 lastChunkStart = (size - 1) / cacheformat::kDefaultChunkSize * cacheformat::kDefaultChunkSize;
    const qint64 duration = engine.duration();
    const qint64 from = std::max<qint64>(0, duration * lastChunkStart / size - 1000);
    engine.seek(from);
    QTRY_VERIFY_WITH_TIMEOUT(engine.state() == PlaybackEngine::State::Stopped || !errors.isEmpty(),
                             int(duration - from) + 10000);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
    QVERIFY2(engine.position() >= duration - 700,
             qPrintable(u"stopped at %1 ms of %2 (played from %3 ms)"_s.arg(engine.position()).arg(duration).arg(from)));
}

void TestPlayback::pauseHoldsPosition()
{
    const FixtureRecording &recording = fixture(u"billing-mono.mp3"_s);
    QtMultimediaPlaybackEngine engine;
    engine.setSource(openFile(recording.path), hintFor(recording.format));
    engine.togglePlayPause();
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= 500, kStartTimeoutMs);
    engine.togglePlayPause();
    QTRY_COMPARE(engine.state(), PlaybackEngine::State::Paused);
    const qint64 held = engine.position();
    QTest::qWait(600);
    QVERIFY(std::abs(engine.position() - held) < 100);
    engine.togglePlayPause();
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= held + 300, 5000);
}

void TestPlayback::replacingTheSourceReleasesTheOldFile()
{
    const FixtureRecording &first = fixture(u"renewal-mono.opus"_s);
    const FixtureRecording &second = fixture(u"appointment-mono-ulaw.wav"_s);
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    auto firstFile = openFile(first.path);
    QPointer<QFile> firstWatch = firstFile.get();
    engine.setSource(std::move(firstFile), hintFor(first.format));
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= 1500, kStartTimeoutMs);

    engine.setSource(openFile(second.path), hintFor(second.format));
    QVERIFY(firstWatch.isNull()); // the engine let go of the first file
    QCOMPARE(engine.state(), PlaybackEngine::State::Stopped);
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(engine.state() == PlaybackEngine::State::Playing && engine.position() > 0,
                             kStartTimeoutMs);
    QVERIFY2(engine.position() < 1500, qPrintable(u"started at %1 ms"_s.arg(engine.position())));
    QTRY_VERIFY(std::abs(double(engine.duration()) / 1000.0 - second.durationSeconds) < 0.35);
    QVERIFY(errors.isEmpty());
}

void TestPlayback::switchingQuicklyBetweenRecordings()
{
    // A supervisor clicking down the list: every new recording must start, whatever
    // the one before it was and however briefly it played.
    const QStringList files{u"appointment-mono-ulaw.wav"_s, u"billing-stereo.opus"_s, u"renewal-mono.mp3"_s,
                            u"billing-mono.m4a"_s, u"appointment-stereo.ogg"_s, u"renewal-mono.wav"_s,
                            u"billing-mono.aac"_s, u"voicemail-mono.opus"_s, u"renewal-stereo.mp3"_s};
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    for (int round = 0; round < 3; ++round) {
        for (const QString &name : files) {
            const FixtureRecording &recording = fixture(name);
            engine.setSource(openFile(recording.path), hintFor(recording.format));
            engine.play();
            QTRY_VERIFY2_WITH_TIMEOUT(engine.position() >= 150 * (round + 1) || !errors.isEmpty(),
                                      qPrintable(u"%1 did not start (round %2)"_s.arg(name).arg(round)), 10000);
            QVERIFY2(errors.isEmpty(), qPrintable(name + u": "_s + errors.value(0).value(0).toString()));
        }
    }
}

void TestPlayback::clearSourceStops()
{
    const FixtureRecording &recording = fixture(u"billing-mono.ogg"_s);
    QtMultimediaPlaybackEngine engine;
    engine.setSource(openFile(recording.path), hintFor(recording.format));
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= 300, kStartTimeoutMs);
    engine.clearSource();
    QVERIFY(!engine.hasSource());
    QTRY_COMPARE(engine.state(), PlaybackEngine::State::Stopped);
    // Without a source the controls do nothing, and nothing breaks.
    engine.play();
    engine.seek(5000);
    QTest::qWait(300);
    QCOMPARE(engine.state(), PlaybackEngine::State::Stopped);
}

void TestPlayback::oddWavDataHidesPadByte()
{
    int padded = 0;
    for (const FixtureRecording &recording : std::as_const(m_fixtures)) {
        QFile file(recording.path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        file.seek(100);
        const std::optional<qint64> end = wavDataEndBeforeTrailingPad(file);
        QCOMPARE(file.pos(), 0);
        // The fixtures put the data chunk right after a 'fmt ' and maybe a 'fact' chunk.
        const qsizetype dataTag = bytes.indexOf("data");
        const bool isWav = recording.format == u"wav";
        const bool oddData = isWav && (qFromLittleEndian<quint32>(bytes.constData() + dataTag + 4) % 2) == 1;
        QCOMPARE(end.has_value(), oddData);
        if (!end)
            continue;
        ++padded;
        QCOMPARE(*end, bytes.size() - 1);

        auto owned = std::make_unique<QFile>(recording.path);
        QVERIFY(owned->open(QIODevice::ReadOnly));
        TruncatedDevice truncated(std::move(owned), *end);
        QCOMPARE(truncated.size(), bytes.size() - 1);
        QCOMPARE(truncated.readAll(), bytes.left(bytes.size() - 1));
        QVERIFY(truncated.seek(40));
        QCOMPARE(truncated.read(16), bytes.mid(40, 16));
        QVERIFY(!truncated.seek(bytes.size()));
    }
    QVERIFY2(padded >= 1, "the fixtures should include a mu-law WAV with an odd number of samples");

    QByteArray notWav("RIFF\x04\0\0\0AVI ", 12);
    QBuffer buffer(&notWav);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    QVERIFY(!wavDataEndBeforeTrailingPad(buffer));
}

void TestPlayback::brokenFilesReportErrors_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("format");

    QByteArray noise(64 * 1024, '\0');
    quint32 state = 12345;
    for (char &byte : noise) {
        state = state * 1664525u + 1013904223u;
        byte = static_cast<char>(state >> 24);
    }
    QTest::newRow("noise named mp3") << noise << u"mp3"_s;
    QTest::newRow("noise named m4a") << noise << u"m4a"_s;
    QTest::newRow("text named ogg") << QByteArray("this is not a recording\n").repeated(200) << u"ogg"_s;
    QTest::newRow("empty wav") << QByteArray() << u"wav"_s;

    QFile real(fixture(u"renewal-mono.m4a"_s).path);
    QVERIFY(real.open(QIODevice::ReadOnly));
    QTest::newRow("m4a cut after its header") << real.read(400) << u"m4a"_s;
}

void TestPlayback::brokenFilesReportErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, format);
    const QString path = m_scratch.filePath(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(content), content.size());
    }
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    engine.setSource(openFile(path), hintFor(format));
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), kStartTimeoutMs);
    QCOMPARE(errors.size(), 1); // one message, not a cascade
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(format.toUpper()), qPrintable(message));
    QCOMPARE(engine.errorString(), message);
    QTRY_VERIFY(engine.state() != PlaybackEngine::State::Playing);
    // A broken source ignores play and seek until replaced.
    engine.play();
    engine.seek(1000);
    QTest::qWait(200);
    QVERIFY(engine.state() != PlaybackEngine::State::Playing);

    // And the engine still plays a good file afterwards.
    const FixtureRecording &good = fixture(u"voicemail-mono.mp3"_s);
    engine.setSource(openFile(good.path), hintFor(good.format));
    QVERIFY(engine.errorString().isEmpty());
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= 300, kStartTimeoutMs);
}

void TestPlayback::unopenedDeviceIsAnError()
{
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    engine.setSource(std::make_unique<QFile>(m_scratch.filePath(u"never-opened.mp3"_s)), hintFor(u"mp3"_s));
    QCOMPARE(errors.size(), 1);
    QVERIFY(!engine.errorString().isEmpty());
    engine.play();
    QTest::qWait(200);
    QCOMPARE(engine.state(), PlaybackEngine::State::Stopped);
}

void TestPlayback::tamperedCacheFileIsAClearError()
{
    const FixtureRecording &recording = fixture(u"renewal-stereo.wav"_s); // 9 chunks
    const QString path = m_scratch.filePath(u"tampered.wav.enc"_s);
    QCOMPARE(writeEncryptedCopy(recording.path, path, m_key), QString());
    const auto flipByteOfChunk = [&](qint64 chunk) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto header = cacheformat::Header::decode(file.read(cacheformat::kHeaderSize));
        QVERIFY(header);
        QVERIFY(file.seek(header->chunkOffset(chunk) + 100));
        char byte = 0;
        QVERIFY(file.getChar(&byte));
        QVERIFY(file.seek(header->chunkOffset(chunk) + 100));
        QVERIFY(file.putChar(char(byte ^ 0x5a)));
    };

    // Damage in the middle: it plays up to there, then stops with a clear error.
    flipByteOfChunk(4);
    auto source = CacheFileSource::open(path, m_key);
    QVERIFY2(source, qPrintable(source.error()));
    // Damage, not a gap to wait at: said once, for the opener to tell the agent.
    QSignalSpy damaged(source->get(), &CacheFileSource::damaged);
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    engine.setSource(std::move(source).value(), hintFor(recording.format));
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 30000);
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(u"damaged"_s), qPrintable(message));
    QCOMPARE(engine.errorString(), message);
    QTRY_COMPARE(damaged.count(), 1);
    QTRY_COMPARE(engine.state(), PlaybackEngine::State::Stopped);
    // Nothing past the damage played (chunk 4 starts near 8 s).
    QVERIFY2(engine.position() < 9000, qPrintable(u"at %1 ms"_s.arg(engine.position())));

    // Damage at the start, or another computer's key: refused before anything plays.
    flipByteOfChunk(0);
    const auto refused = CacheFileSource::open(path, m_key);
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(u"damaged"_s), qPrintable(refused.error()));
    QCOMPARE(writeEncryptedCopy(recording.path, path, m_key), QString());
    const auto otherKey = CacheFileSource::open(path, CacheCipher::generateKey());
    QVERIFY(!otherKey);
    QVERIFY2(otherKey.error().contains(u"damaged"_s), qPrintable(otherKey.error()));
}

void TestPlayback::damageInACompressedRecordingIsAClearError_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("mp3") << u"long-dialogue.mp3"_s;
    QTest::newRow("m4a") << u"long-dialogue-moov-at-end.m4a"_s;
}

void TestPlayback::damageInACompressedRecordingIsAClearError()
{
    // A parser that gets fewer bytes than it asked for calls it the end of the stream:
    // the damage must still be said, not pass for the end of the call.
    QFETCH(QString, file);
    QString error;
    const auto longOnes = readFixtureManifest(QStringLiteral(EARSHOT_LONG_RECORDINGS_DIR), &error);
    const auto found = std::find_if(longOnes.cbegin(), longOnes.cend(),
                                    [&](const FixtureRecording &recording) { return recording.file == file; });
    QVERIFY2(found != longOnes.cend(), qPrintable(error));
    const QString path = m_scratch.filePath(file + u".enc"_s);
    QCOMPARE(writeEncryptedCopy(found->path, path, m_key), QString());
    constexpr qint64 kDamagedChunk = 12; // in the middle, where the audio is
    {
        QFile damaged(path);
        QVERIFY(damaged.open(QIODevice::ReadWrite));
        auto header = cacheformat::Header::decode(damaged.read(cacheformat::kHeaderSize));
        QVERIFY(header);
        QVERIFY(damaged.seek(header->chunkOffset(kDamagedChunk) + 1000));
        QVERIFY(damaged.write("\xde\xad", 2) == 2);
    }
    auto source = CacheFileSource::open(path, m_key);
    QVERIFY2(source, qPrintable(source.error()));
    const qint64 size = (*source)->size();
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    engine.setSource(std::move(source).value(), hintFor(found->format));
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(engine.duration() > 0 && engine.position() > 0, kStartTimeoutMs);
    // Two seconds before the damage (bytes to time as if the bit rate were constant).
    const qint64 damageAt = engine.duration() * kDamagedChunk * cacheformat::kDefaultChunkSize / size;
    engine.seek(damageAt - 2000);
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty() || engine.state() == PlaybackEngine::State::Stopped, 20000);
    QVERIFY2(!errors.isEmpty(), qPrintable(u"stopped at %1 ms of %2 without an error"_s.arg(engine.position())
                                               .arg(engine.duration())));
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(u"damaged"_s), qPrintable(message));
    QVERIFY2(engine.position() < damageAt + 5000, qPrintable(u"at %1 ms, damage at %2"_s.arg(engine.position()).arg(damageAt)));
}

void TestPlayback::growingDownloadPlaysAndWaitsForItsBytes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("headChunks"); // there from the start
    QTest::addColumn<qint64>("headMs");     // about what they play
    const FixtureRecording &wav = fixture(u"renewal-stereo.wav"_s); // 9 chunks, ~32 KB/s
    QTest::newRow("wav") << wav.path << wav.format << qint64(5) << qint64(10000);
    // A demuxer that reads its index at the end of the file; 24 chunks, ~16 KB/s.
    QTest::newRow("m4a") << QDir(QStringLiteral(EARSHOT_LONG_RECORDINGS_DIR)).filePath(u"long-dialogue-moov-at-end.m4a"_s)
                         << u"m4a"_s << qint64(4) << qint64(16200);
}

void TestPlayback::growingDownloadPlaysAndWaitsForItsBytes()
{
    QFETCH(QString, path);
    QFETCH(QString, format);
    QFETCH(qint64, headChunks);
    QFETCH(qint64, headMs);
    // The agent's partial: the first chunks only, under "<name>.part".
    QFile original(path);
    QVERIFY(original.open(QIODevice::ReadOnly));
    const QByteArray plaintext = original.readAll();
    const QString finalPath = m_scratch.filePath(u"growing."_s + format);
    const QString partialPath = finalPath + u".part"_s;
    auto writer = EncryptedCacheWriter::create(partialPath, m_key, quint64(plaintext.size()));
    QVERIFY2(writer, qPrintable(writer.error()));
    const qint64 chunkSize = (*writer)->header().chunkSize;
    const qint64 chunks = (*writer)->header().chunkCount();
    const auto writeChunk = [&](qint64 index) {
        QVERIFY((*writer)->writeChunk(index, QByteArrayView(plaintext.constData() + index * chunkSize, std::min(chunkSize, plaintext.size() - index * chunkSize))));
    };
    // The head, and the middle and the end that type finding reads (the opener asks the
    // agent for those first; an index at the end may take two chunks).
    QSet<qint64> present;
    for (qint64 index = 0; index < headChunks; ++index)
        present.insert(index);
    present.insert((plaintext.size() / 2) / chunkSize);
    present.insert(chunks - 2);
    present.insert(chunks - 1);
    for (const qint64 index : std::as_const(present))
        writeChunk(index);

    auto opened = CacheFileSource::open(partialPath, m_key, finalPath);
    QVERIFY2(opened, qPrintable(opened.error()));
    QVERIFY((*opened)->canStartPlaying());
    CacheFileSource *source = opened->get();
    QSignalSpy wanted(source, &PlaybackSource::bytesWanted);
    QtMultimediaPlaybackEngine engine;
    QSignalSpy errors(&engine, &PlaybackEngine::errorOccurred);
    engine.setSource(std::move(opened).value(), hintFor(format));
    engine.play();
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= 500, kStartTimeoutMs);

    // The player reaches the end of what is there and asks for the rest; it waits
    // there instead of ending or failing.
    QTRY_VERIFY_WITH_TIMEOUT(!wanted.isEmpty(), int(headMs) + 10000);
    QCOMPARE(wanted.first().first().toLongLong() / chunkSize, headChunks);
    QTRY_VERIFY_WITH_TIMEOUT(engine.isWaitingForData(), 15000);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
    const qint64 stoppedAt = engine.position();
    QVERIFY2(stoppedAt < headMs + 1000, qPrintable(u"waiting at %1 ms"_s.arg(stoppedAt)));

    // The rest arrives and the agent renames the finished file: playback goes on from
    // where it stood, under the file's final name.
    for (qint64 index = headChunks; index < chunks; ++index) {
        if (!present.contains(index))
            writeChunk(index);
    }
    QVERIFY((*writer)->isComplete());
    QVERIFY((*writer)->sync());
    writer->reset();
    QVERIFY(QFile::rename(partialPath, finalPath));
    source->refresh(/*completed=*/true);
    QVERIFY(!source->isDownloading());
    QCOMPARE(source->fileName(), finalPath);
    QTRY_VERIFY_WITH_TIMEOUT(!engine.isWaitingForData(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(engine.position() >= stoppedAt + 1000, 15000);
    QCOMPARE(engine.state(), PlaybackEngine::State::Playing);
    QVERIFY2(engine.position() < stoppedAt + 6000, qPrintable(u"jumped to %1 ms"_s.arg(engine.position())));
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
}

// The agent drops a partial download and starts the recording over in a new file (the
// server's copy changed): the source says so, instead of waiting for bytes that will
// never come to the file it has open, or claiming the download finished.
void TestPlayback::partialDroppedByTheAgentFailsWithWhatToDo()
{
    const QString finalPath = m_scratch.filePath(u"dropped.mp3"_s);
    const QString partialPath = finalPath + u".part"_s;
    const QByteArray plaintext(300'000, 'x');
    {
        auto writer = EncryptedCacheWriter::create(partialPath, m_key, quint64(plaintext.size()));
        QVERIFY(writer);
        QVERIFY((*writer)->append(QByteArrayView(plaintext).first(2 * (*writer)->header().chunkSize)));
    }
    auto opened = CacheFileSource::open(partialPath, m_key, finalPath);
    QVERIFY2(opened, qPrintable(opened.error()));
    QSignalSpy failed(opened->get(), &PlaybackSource::failed);
    QVERIFY(QFile::remove(partialPath));
    (*opened)->refresh(/*completed=*/false);
    QVERIFY(failed.wait(5000));
    QVERIFY2(failed.first().first().toString().contains(u"starts over"_s), qPrintable(failed.first().first().toString()));
}

QTEST_GUILESS_MAIN(TestPlayback)

#include "tst_playback.moc"
