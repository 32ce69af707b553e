// tst_transferengine, versions: a download resumes with If-Range naming the version whose
// bytes the partial holds (the media server's ETag), kept in the store across runs. When
// the server's copy is another version, whether it says so by answering 200 or only by a
// new ETag on a 206, the partial is dropped and the recording fetched again whole: without
// a sha256 in the metadata, nothing else could tell a file joined from two versions.
#include "tst_transferengine.h"

#include <QSqlQuery>

namespace transferenginetest {

namespace {

HostileMediaServer::Behaviour tagged(HostileMediaServer::Behaviour behaviour, QByteArray etag)
{
    behaviour.etag = std::move(etag);
    return behaviour;
}

QByteArray storedValidator(QSqlDatabase db)
{
    QSqlQuery query(u"SELECT partial_validator FROM recordings WHERE id = 'rec-1'"_s, db);
    return query.next() ? query.value(0).toString().toLatin1() : "(no row)"_ba;
}

} // namespace

void TstTransferEngine::resumeNamesTheVersionItHoldsAndContinues()
{
    addRecording(kMiB, false);
    m_server->script({tagged({Answer::CutShort, 0, {}, 300'000}, "\"v1\""), tagged({}, "\"v1\"")});
    const auto report = runOnePass();
    QVERIFY(report);
    QCOMPARE(report->downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[0].ifRange, QByteArray()); // a whole GET names no version
    QCOMPARE(requests[1].range, "bytes=262144-1048575"_ba);
    QCOMPARE(requests[1].ifRange, "\"v1\""_ba);
    QCOMPARE(requests[1].status, 206);
    const StoredRow stored = row();
    QCOMPARE(stored.cacheState, u"present"_s);
    QCOMPARE(storedValidator(m_store->connection()), QByteArray()); // only partials keep one
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(stored.cacheFile), m_key, kMiB), m_content);
}

// A validator goes back out in a request header: one with control bytes (a header
// injection into the next request, perhaps to another host) or a weak tag is never used.
void TstTransferEngine::unusableValidatorsAreNeverSentBack()
{
    addRecording(kMiB, false);
    m_server->script({tagged({Answer::CutShort, 0, {}, 300'000}, "\"v1\x01X-Injected: 1\""),
                      tagged({Answer::CutShort, 0, {}, 400'000}, "W/\"v1\"")});
    const auto report = runOnePass();
    QVERIFY(report);
    QCOMPARE(report->downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[1].range, "bytes=262144-1048575"_ba);
    QCOMPARE(requests[1].ifRange, QByteArray());
    QCOMPARE(requests[2].range, "bytes=655360-1048575"_ba);
    QCOMPARE(requests[2].ifRange, QByteArray());
    QCOMPARE(row().cacheState, u"present"_s);
}

// Without an ETag, Last-Modified names the version only when it is at least a second older
// than the answer: a file written again within that second would keep the same date.
void TstTransferEngine::lastModifiedNamesTheVersionOnlyWhenItIsOldEnough()
{
    addRecording(kMiB, false);
    HostileMediaServer::Behaviour cutJustNow{Answer::CutShort, 0, {}, 300'000};
    cutJustNow.lastModified = "now";
    HostileMediaServer::Behaviour cutDated{Answer::CutShort, 0, {}, 400'000};
    cutDated.lastModified = "Sun, 01 Nov 2026 08:00:00 GMT";
    m_server->script({cutJustNow, cutDated});
    const auto report = runOnePass();
    QVERIFY(report);
    QCOMPARE(report->downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[1].range, "bytes=262144-1048575"_ba);
    QCOMPARE(requests[1].ifRange, QByteArray()); // modified this very second: no validator
    QCOMPARE(requests[1].status, 206);
    QCOMPARE(requests[2].range, "bytes=655360-1048575"_ba);
    QCOMPARE(requests[2].ifRange, "Sun, 01 Nov 2026 08:00:00 GMT"_ba);
}

// A server that honours If-Range answers with the whole new version (200): the file starts
// over, and ranges stay in use (a later resume of the new file is a Range request again).
void TstTransferEngine::wholeNewVersionInsteadOfTheRangeStartsOverAndResumesLater()
{
    addRecording(kMiB, false);
    m_server->script({tagged({Answer::CutShort, 0, {}, 300'000}, "\"v1\""), tagged({Answer::IgnoreRange, 0, {}, 0}, "\"v2\""),
                      tagged({Answer::CutShort, 0, {}, 300'000}, "\"v2\""), tagged({}, "\"v2\"")});
    const auto report = runOnePass();
    QVERIFY(report);
    QCOMPARE(report->downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 4);
    QCOMPARE(requests[1].ifRange, "\"v1\""_ba);
    QCOMPARE(requests[1].status, 200); // abandoned at the head
    QCOMPARE(requests[2].range, QByteArray());
    QCOMPARE(requests[3].range, "bytes=262144-1048575"_ba);
    QCOMPARE(requests[3].ifRange, "\"v2\""_ba);
    QCOMPARE(requests[3].status, 206);
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(row().cacheFile), m_key, kMiB), m_content);
}

// A server whose ETag changes at every request (backends that disagree) never makes the
// agent start over without end: after kStartsOverPerPass, the attempt fails and backs off.
void TstTransferEngine::aCopyThatChangesAtEveryRequestEndsTheAttempt()
{
    addRecording(kMiB, false);
    QList<HostileMediaServer::Behaviour> script;
    for (const char *tag : {"\"a\"", "\"b\"", "\"c\"", "\"d\"", "\"e\"", "\"f\""})
        script.append(tagged(script.size() % 2 == 0 ? HostileMediaServer::Behaviour{Answer::CutShort, 0, {}, 300'000}
                                                    : HostileMediaServer::Behaviour{},
                             tag));
    m_server->script(script);
    const auto report = runOnePass();
    QVERIFY(report);
    QCOMPARE(report->failed, 1);
    QCOMPARE(m_server->requests().size(), 6);
    const StoredRow stored = row();
    QVERIFY2(stored.lastError.contains(u"started over 2 times"_s), qPrintable(stored.lastError));
    QVERIFY(stored.cacheState != u"present"_s);
}

// The player's range and the main stream go out together on a new file, neither with a
// version to name; they come back with different ETags. Their chunks are never joined:
// the file starts over, and the copy is whole from one version.
void TstTransferEngine::twoRequestsThatGotDifferentVersionsStartOver()
{
    addRecording(2 * kMiB, false);
    m_server->setThrottle(8 * kMiB);
    QList<HostileMediaServer::Behaviour> script{tagged({}, "\"a\""), tagged({}, "\"b\"")};
    for (int i = 0; i < 6; ++i)
        script.append(tagged({}, "\"b\""));
    m_server->script(script);
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->fetchRangeFirst(u"rec-1"_s, 2 * kMiB - 100'000, 100'000)); // the last two chunks
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    QCOMPARE(engine->takeReport().downloaded, 1);
    const auto requests = m_server->requests();
    // Together the two requests brought the whole file, of two versions; the main stream
    // began at byte 0 again, on a new file.
    const auto fromTheStart = std::count_if(requests.cbegin(), requests.cend(), [](const auto &request) {
        return request.range.isEmpty() || request.range.startsWith("bytes=0-");
    });
    QCOMPARE(fromTheStart, 2);
    engine.reset();
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(row().cacheFile), m_key, 2 * kMiB), m_content);
}

void TstTransferEngine::copyReplacedBetweenRunsIsFetchedAgainWhole()
{
    addRecording(kMiB, false);
    // Far beyond what the agent waits within a pass: the pass ends with the partial kept.
    m_server->script({tagged({Answer::CutShort, 0, {}, 300'000}, "\"v1\""), {Answer::Status, 503, "86400", 0}});
    const auto failed = runOnePass();
    QVERIFY(failed);
    QCOMPARE(failed->failed, 1);
    QCOMPARE(row().cacheState, u"partial"_s);
    QCOMPARE(storedValidator(m_store->connection()), "\"v1\""_ba);
    const QString partial = row().cacheFile;
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(partial), m_key, kMiB), m_content.left(4 * kChunk));

    // The server replaces the file: same size, another version. It ignores If-Range and
    // answers the resumed request with 206 and bytes of the new version; only its ETag
    // says they do not belong after the ones on disk.
    QByteArray replaced = m_content;
    for (char &byte : replaced)
        byte = static_cast<char>(byte ^ 0x5a);
    QFile file(m_dir->filePath(u"media/rec.mp3"_s));
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(replaced) == replaced.size());
    file.close();
    QVERIFY(execute(m_store->connection(), u"UPDATE recordings SET next_attempt_at = NULL"_s));
    m_server->script({tagged({}, "\"v2\""), tagged({}, "\"v2\"")});
    const auto report = runOnePass();
    QVERIFY(report);
    QCOMPARE(report->downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 4);
    QCOMPARE(requests[2].range, "bytes=262144-1048575"_ba);
    QCOMPARE(requests[2].ifRange, "\"v1\""_ba);
    QCOMPARE(requests[2].status, 206); // refused at the head: not a byte of it was used
    QCOMPARE(requests[3].range, QByteArray());
    const StoredRow stored = row();
    QCOMPARE(stored.cacheState, u"present"_s);
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(stored.cacheFile), m_key, kMiB), replaced);
    QCOMPARE(QDir(m_cacheDir).entryList(QDir::Files), QStringList{stored.cacheFile});
}

} // namespace transferenginetest
