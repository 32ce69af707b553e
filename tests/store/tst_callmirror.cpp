// The mirror writer: a page and its cursor land together or not at all, and changes and
// tombstones keep the cache bookkeeping honest.
#include "audit/auditlog.h"
#include "callfixtures.h"
#include "store/callmirror.h"
#include "store/callquery.h"
#include "store/database.h"
#include "store/firstfill.h"
#include "store/referencecheck.h"
#include "testsupport/temporary_store.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"
#include "transfer/transferledger.h"

#include <QDir>
#include <QScopeGuard>
#include <QRegularExpression>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <stdexcept>

using namespace Qt::StringLiterals;
using namespace earshot;
using namespace earshot::testing;

namespace {

// A lead of its own, so that a page has as many leads as calls.
Call withOwnLead(Call call)
{
    call.lead.id = u"lead-of-"_s + call.id;
    call.lead.name = u"Lead of "_s + call.id;
    return call;
}

QStringList indexNames(const QSqlDatabase &db)
{
    QSqlQuery query(u"SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"_s, db);
    QStringList names;
    while (query.next())
        names.append(query.value(0).toString());
    return names;
}

// What FirstFill::finish removed, or -1 (with the reason) when it failed.
int finishRemoving(FirstFill &fill)
{
    const Expected<int> removed = fill.finish();
    if (!removed)
        qWarning().noquote() << removed.error();
    return removed ? *removed : -1;
}

qint64 countRows(const QSqlDatabase &db, const QString &table)
{
    QSqlQuery query(u"SELECT count(*) FROM "_s + table, db);
    return query.next() ? query.value(0).toLongLong() : -1;
}

} // namespace

class TestCallMirror : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_store.emplace();
        QVERIFY2(m_store->isOpen(), qPrintable(m_store->error()));
    }
    void cleanup() { m_store.reset(); }

    // Calls 2, 4 and 6, each with a recording whose copy is present as <recording id>.wav.
    bool mirrorThreeCachedCalls(CallMirror &mirror)
    {
        if (!mirror.applyPage(pageOf({makeCall(2, 2000), makeCall(4, 4000), makeCall(6, 6000)}, u"c1"_s)))
            return false;
        const QList<TransferCandidate> candidates = due();
        if (candidates.size() != 3)
            return false;
        return std::all_of(candidates.cbegin(), candidates.cend(), [this](const TransferCandidate &candidate) {
            const auto marked = recordPresent(candidate, candidate.recordingId + u".wav"_s);
            return marked && *marked;
        });
    }

    void aPageAndItsCursorLandTogether()
    {
        CallMirror mirror(db());
        const auto result = mirror.applyPage(pageOf({makeCall(1, 1000), makeCall(2, 2000)}, u"cursor-1"_s));
        QVERIFY2(result, qPrintable(result.error()));
        QCOMPARE(result->callsWritten, 2);
        QCOMPARE(countRows(db(), u"calls"_s), 2);
        QCOMPARE(countRows(db(), u"recordings"_s), 1);
        QCOMPARE(mirror.cursor(), u"cursor-1"_s);
        QVERIFY(!SyncState(db()).callsCompletedAt().has_value()); // has_more: not complete yet

        QVERIFY(mirror.applyPage(pageOf({makeCall(3, 3000)}, u"cursor-2"_s, false)));
        QCOMPARE(mirror.cursor(), u"cursor-2"_s);
        QVERIFY(SyncState(db()).callsCompletedAt().has_value());
    }

    void aFailureBeforeCommitLeavesNothingOfThePage()
    {
        CallMirror mirror(db());
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000)}, u"cursor-1"_s)));
        bool threw = false;
        try {
            (void)mirror.applyPage(pageOf({makeCall(2, 2000), makeCall(4, 4000)}, u"cursor-2"_s),
                                   [] { throw std::runtime_error("process died before COMMIT"); });
        } catch (const std::runtime_error &) {
            threw = true;
        }
        QVERIFY(threw);
        QCOMPARE(countRows(db(), u"calls"_s), 1);
        QCOMPARE(mirror.cursor(), u"cursor-1"_s);
        // And the store is still writable: the transaction was rolled back, not left open.
        QVERIFY(mirror.applyPage(pageOf({makeCall(2, 2000)}, u"cursor-2"_s)));
        QCOMPARE(countRows(db(), u"calls"_s), 2);
    }

    void aRowTheStoreRefusesFailsThePageAndKeepsTheCursor_data()
    {
        QTest::addColumn<int>("calls");
        QTest::addColumn<QString>("poison");
        QTest::addColumn<QString>("named");
        QTest::newRow("a call written alone") << 2 << u"INSERT ON calls WHEN NEW.id = 'call-3'"_s << u"call-3"_s;
        // Rows go in statements of many; the one that failed is still the one named.
        const int many = 2 * CallBatchWriter::kRowsPerStatement + 7;
        QTest::newRow("a call in a statement of many")
            << many << u"INSERT ON calls WHEN NEW.id = 'call-12'"_s << u"call-12"_s;
        QTest::newRow("a recording in a statement of many")
            << many << u"INSERT ON recordings WHEN NEW.id = 'rec-40'"_s << u"call-40"_s;
        QTest::newRow("a lead in a statement of many")
            << many << u"INSERT ON leads WHEN NEW.id = 'lead-of-call-33'"_s << u"lead lead-of-call-33"_s;
    }

    void aRowTheStoreRefusesFailsThePageAndKeepsTheCursor()
    {
        QFETCH(int, calls);
        QFETCH(QString, poison);
        QFETCH(QString, named);
        CallMirror mirror(db());
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000)}, u"cursor-1"_s)));
        QSqlQuery trigger(db());
        QVERIFY(trigger.exec(u"CREATE TRIGGER poison BEFORE %1 BEGIN SELECT RAISE(ABORT, 'disk said no'); END"_s.arg(poison)));
        QList<Call> page;
        for (int n = 2; n < 2 + calls; ++n)
            page.append(withOwnLead(makeCall(n, n * 1000)));
        const auto result = mirror.applyPage(pageOf(page, u"cursor-2"_s));
        QVERIFY(!result);
        QVERIFY2(result.error().contains(named + u":"_s), qPrintable(result.error()));
        QVERIFY2(result.error().contains(u"disk said no"_s), qPrintable(result.error()));
        QCOMPARE(countRows(db(), u"calls"_s), 1);
        QCOMPARE(countRows(db(), u"recordings"_s), 0);
        QCOMPARE(countRows(db(), u"leads"_s), 1);
        QCOMPARE(mirror.cursor(), u"cursor-1"_s);
    }

    // Statements of many rows, the rows left over, a lead two calls of one statement name
    // with different names (the later wins), and a call the page lists twice (its later
    // listing wins) all land as they were given.
    void everyRowOfAPageLandsWithItsValues()
    {
        QList<Call> page;
        for (int n = 1; n <= 2 * CallBatchWriter::kRowsPerStatement + 7; ++n)
            page.append(withOwnLead(makeCall(n, n * 1000)));
        Call again = withOwnLead(makeCall(4, 4000));
        again.outcome = u"sale"_s;
        again.lead.name = u"Ünal Öztürk"_s;
        again.recording->sha256.clear();
        again.recording->status = RecordingStatus::Pending;
        page.insert(10, again);
        page[20].lead = page[6].lead; // call-7's lead, which call-20 renames
        page[20].lead.name = u"Renamed by call-20"_s;
        QVERIFY(CallMirror(db()).applyPage(pageOf(page, u"cursor-1"_s)));
        page.removeAt(3);

        QSqlQuery leads(u"SELECT id, name, phone, name_folded FROM leads ORDER BY rowid"_s, db());
        QHash<QString, QStringList> storedLeads;
        while (leads.next())
            storedLeads.insert(leads.value(0).toString(), {leads.value(1).toString(), leads.value(2).toString(),
                                                           leads.value(3).toString()});
        QCOMPARE(storedLeads.size(), page.size() - 1);
        for (const Call &call : std::as_const(page)) {
            const Lead &latest = call.lead.id == page[19].lead.id ? page[19].lead : call.lead;
            QCOMPARE(storedLeads.value(call.lead.id),
                     QStringList({latest.name, latest.phone, latest.name.toLower()}));
        }

        QSqlQuery rows(u"SELECT c.id, c.lead_id, c.agent_id, IFNULL(c.list_id, ''), c.direction, c.outcome, "
                       "c.started_at, c.duration_seconds, c.updated_at, IFNULL(r.id, ''), IFNULL(r.size_bytes, 0), "
                       "IFNULL(r.sha256, ''), IFNULL(r.status, '') "
                       "FROM calls c LEFT JOIN recordings r ON r.call_id = c.id ORDER BY c.started_at"_s,
                       db());
        std::ranges::sort(page, {}, [](const Call &call) { return call.startedAt; });
        for (const Call &call : std::as_const(page)) {
            QVERIFY2(rows.next(), qPrintable(call.id));
            const Recording recording = call.recording.value_or(Recording{});
            const QVariantList expected{call.id, call.lead.id, call.agent.id, call.list ? call.list->id : QString(),
                                        toString(call.direction), call.outcome, call.startedAt.toMSecsSinceEpoch(),
                                        call.durationSeconds, call.updatedAt, recording.id, recording.sizeBytes,
                                        recording.sha256, call.recording ? toString(recording.status) : QString()};
            for (int column = 0; column < expected.size(); ++column)
                QCOMPARE(rows.value(column).toString(), expected[column].toString());
        }
        QVERIFY(!rows.next());
    }

    // The mirror remembers the leads it wrote; a later page that changes one still lands.
    void aLeadChangedInALaterPageIsChangedInTheStore()
    {
        CallMirror mirror(db());
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000), makeCall(8, 8000)}, u"cursor-1"_s)));
        Call renamed = makeCall(15, 15000); // lead-1 again
        renamed.lead.name = u"Lead 1, married name"_s;
        Call rephoned = makeCall(22, 22000); // lead-1 once more, new phone too
        rephoned.lead.name = renamed.lead.name;
        rephoned.lead.phone = u"+1 555 0199"_s;
        QVERIFY(mirror.applyPage(pageOf({renamed}, u"cursor-2"_s)));
        QSqlQuery query(u"SELECT name, phone FROM leads WHERE id = 'lead-1'"_s, db());
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toString(), u"Lead 1, married name"_s);
        QVERIFY(mirror.applyPage(pageOf({rephoned}, u"cursor-3"_s)));
        QVERIFY(query.exec(u"SELECT name, phone FROM leads WHERE id = 'lead-1'"_s) && query.next());
        QCOMPARE(query.value(1).toString(), u"+1 555 0199"_s);
    }

    void severalPagesCommitTogetherWithTheLastCursor()
    {
        CallMirror mirror(db());
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000)}, u"cursor-1"_s)));
        CallsPage withTombstone = pageOf({makeCall(3, 3000)}, u"cursor-3"_s);
        withTombstone.tombstones.append({u"call-1"_s, u"2026-11-21T00:00:00Z"_s});
        const std::vector<CallsPage> pages{pageOf({makeCall(2, 2000)}, u"cursor-2"_s), withTombstone,
                                           pageOf({makeCall(4, 4000)}, QString(), false)};

        // Dying before COMMIT keeps none of the three pages and the cursor before them.
        bool threw = false;
        try {
            (void)mirror.applyPages(pages, [] { throw std::runtime_error("process died before COMMIT"); });
        } catch (const std::runtime_error &) {
            threw = true;
        }
        QVERIFY(threw);
        QCOMPARE(countRows(db(), u"calls"_s), 1);
        QCOMPARE(mirror.cursor(), u"cursor-1"_s);

        const auto result = mirror.applyPages(pages);
        QVERIFY2(result, qPrintable(result.error()));
        QCOMPARE(result->callsWritten, 3);
        QCOMPARE(result->callsDeleted, 1);
        QCOMPARE(countRows(db(), u"calls"_s), 3);
        // The last page had no cursor: the one of the page before it is the one to keep.
        QCOMPARE(mirror.cursor(), u"cursor-3"_s);
        QVERIFY(SyncState(db()).callsCompletedAt().has_value());
    }

    void aFirstFillBuildsItsIndexesAndChecksReferencesAtTheEnd()
    {
        const QStringList before = indexNames(db());
        QVERIFY(before.contains(u"calls_by_lead"_s));
        CallMirror mirror(db());
        FirstFill fill = mirror.firstFill();
        QVERIFY(!fill.isUnderway());
        QVERIFY(fill.begin());
        QVERIFY(fill.isUnderway());
        QVERIFY(!foreignKeysOn());
        QCOMPARE(pragma(u"wal_autocheckpoint"_s), 16384);
        const QStringList whileDeferred = indexNames(db());
        for (const auto &name : {u"calls_by_started"_s, u"calls_by_lead"_s})
            QVERIFY2(!whileDeferred.contains(name), qPrintable(name));
        QVERIFY(whileDeferred.contains(u"recordings_cached"_s)); // over cache files, which a fill never writes
        QVERIFY(whileDeferred.contains(u"audit_events_to_upload"_s)); // not a table the mirror writes
        QVERIFY(fill.begin()); // twice is harmless: the saved definitions stay
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000), makeCall(2, 2000)}, u"c1"_s, false)));

        // A second handle, as the next run after a crash would make.
        FirstFill nextRun(db());
        QVERIFY(nextRun.isUnderway());
        QCOMPARE(finishRemoving(nextRun), 0);
        QVERIFY(!nextRun.isUnderway());
        QVERIFY(foreignKeysOn());
        QCOMPARE(pragma(u"wal_autocheckpoint"_s), 1000);
        QCOMPARE(indexNames(db()), before);
        QCOMPARE(finishRemoving(nextRun), 0); // nothing left to do
        QCOMPARE(indexNames(db()), before);
        QVERIFY(storeIsSound());
        QCOMPARE(mirror.cursor(), u"c1"_s);
        QCOMPARE(*CallQuery(db()).count(CallFilter{.agentId = u"agent-1"_s}), 1);
    }

    void aFirstFillRemovesRowsThatReferToNothingAndStartsOver()
    {
        CallMirror mirror(db());
        FirstFill fill = mirror.firstFill();
        QVERIFY(fill.begin());
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000), makeCall(2, 2000)}, u"c1"_s, false)));
        // What a defect in the writer would leave behind, with nothing checking per row.
        QVERIFY(execute(db(), u"INSERT INTO calls(id, lead_id, agent_id, direction, outcome, started_at, "
                              "duration_seconds, updated_at) VALUES ('call-x', 'lead-missing', 'agent-1', "
                              "'inbound', 'connected', 3000, 1, 'x')"_s));
        QVERIFY(execute(db(), u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, channels, "
                              "status) VALUES ('rec-x', 'call-missing', 'wav', 1, 1, 1, 'available')"_s));

        const Expected<int> finished = fill.finish();
        QVERIFY2(finished, qPrintable(finished.error()));
        QCOMPARE(*finished, 2);
        QVERIFY(!fill.isUnderway());
        QVERIFY(storeIsSound());
        QCOMPARE(countRows(db(), u"calls"_s), 2);
        QCOMPARE(countRows(db(), u"recordings"_s), 1); // call 2's
        QVERIFY(mirror.cursor().isEmpty());
        QVERIFY(!SyncState(db()).callsCompletedAt().has_value());
    }

    // The check a fill's end runs beside the index build: on a connection of its own for a
    // store in a file, inline for one that only this connection can see.
    void theReferenceCheckFindsDanglingRowsInAFileAndInMemory()
    {
        QVERIFY(execute(db(), u"PRAGMA foreign_keys = OFF"_s));
        QVERIFY(execute(db(), u"INSERT INTO agents(id, name) VALUES ('agent-1', 'Agent 1')"_s));
        QVERIFY(execute(db(), u"INSERT INTO calls(id, lead_id, agent_id, direction, outcome, started_at, "
                              "duration_seconds, updated_at) VALUES ('call-x', 'lead-missing', 'agent-1', "
                              "'inbound', 'connected', 3000, 1, 'x')"_s));
        QVERIFY(execute(db(), u"PRAGMA foreign_keys = ON"_s));
        auto fromFile = ReferenceCheck::start(db()).get();
        QVERIFY2(fromFile, qPrintable(fromFile.error()));
        QCOMPARE(fromFile->size(), size_t(1));
        QCOMPARE(fromFile->front().table, u"calls"_s);

        {
            auto memory = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"in-memory"_s);
            memory.setDatabaseName(u":memory:"_s);
            QVERIFY(memory.open());
            QVERIFY(execute(memory, u"CREATE TABLE parents(id INTEGER PRIMARY KEY)"_s));
            QVERIFY(execute(memory, u"CREATE TABLE children(parent INTEGER REFERENCES parents(id))"_s));
            QVERIFY(execute(memory, u"INSERT INTO parents VALUES (1)"_s));
            QVERIFY(execute(memory, u"INSERT INTO children VALUES (1), (2), (1), (3)"_s));
            auto future = ReferenceCheck::start(memory);
            QCOMPARE(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
            const auto inMemory = future.get();
            QVERIFY2(inMemory, qPrintable(inMemory.error()));
            QCOMPARE(inMemory->size(), size_t(2));
            QCOMPARE(inMemory->at(0).rowid, 2);
            QCOMPARE(inMemory->at(1).rowid, 4);
        }
        QSqlDatabase::removeDatabase(u"in-memory"_s);
    }

    // When the check's own connection cannot open the store, the writer's connection
    // checks instead: the fill still ends, and still removes what dangles.
    void aFirstFillChecksOnItsOwnConnectionWhenNoOtherCanOpenTheStore()
    {
        CallMirror mirror(db());
        FirstFill fill = mirror.firstFill();
        QVERIFY(fill.begin());
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000)}, u"c1"_s, false)));
        QVERIFY(execute(db(), u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, channels, "
                              "status) VALUES ('rec-x', 'call-missing', 'wav', 1, 1, 1, 'available')"_s));
        // The open connection keeps its files; a new one finds nothing at the path.
        const QString moved = m_store->path() + u".moved"_s;
        QVERIFY(QFile::rename(m_store->path(), moved));
        const auto restore = qScopeGuard([&] { QFile::rename(moved, m_store->path()); });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"checking references on this connection instead"_s));
        QCOMPARE(finishRemoving(fill), 1);
        QVERIFY(!fill.isUnderway());
        QCOMPARE(countRows(db(), u"recordings"_s), 0);
    }

    // The check reads the store as committed, on its own connection: not what the
    // writer's open transaction has written and not yet committed.
    void theReferenceCheckReadsWhatIsCommitted()
    {
        QVERIFY(execute(db(), u"PRAGMA foreign_keys = OFF"_s));
        WriteTransaction transaction(db());
        QVERIFY(transaction.isOpen());
        QVERIFY(execute(db(), u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, channels, "
                              "status) VALUES ('rec-x', 'call-missing', 'wav', 1, 1, 1, 'available')"_s));
        const auto separate = ReferenceCheck::start(db()).get();
        QVERIFY2(separate, qPrintable(separate.error()));
        QVERIFY(separate->empty());
        const auto here = ReferenceCheck::run(db());
        QVERIFY2(here, qPrintable(here.error()));
        QCOMPARE(here->size(), size_t(1));
        transaction.rollback();
        QVERIFY(execute(db(), u"PRAGMA foreign_keys = ON"_s));
    }

    void aTombstoneInAFirstFillTakesTheRecordingWithIt()
    {
        CallMirror mirror(db());
        FirstFill fill = mirror.firstFill();
        QVERIFY(fill.begin());
        QVERIFY(mirror.applyPage(pageOf({makeCall(2, 2000), makeCall(4, 4000)}, u"c1"_s)));
        CallsPage page = pageOf({}, u"c2"_s, false);
        page.tombstones.append({u"call-2"_s, u"2026-11-21T00:00:00Z"_s});
        QVERIFY(mirror.applyPage(page));
        QCOMPARE(finishRemoving(fill), 0); // nothing dangles
        QCOMPARE(countRows(db(), u"calls"_s), 1);
        QCOMPARE(countRows(db(), u"recordings"_s), 1);
        QCOMPARE(mirror.cursor(), u"c2"_s);
    }

    void changedRecordingContentInvalidatesTheCachedCopy()
    {
        CallMirror mirror(db());
        QVERIFY(mirror.applyPage(pageOf({makeCall(2, 2000)}, u"c1"_s)));
        const QList<TransferCandidate> candidates = due();
        QCOMPARE(candidates.size(), 1);
        QVERIFY(*recordPresent(candidates.first(), u"file-a.wav"_s));

        Call same = makeCall(2, 2000);
        same.outcome = u"voicemail"_s;
        auto result = mirror.applyPage(pageOf({same}, u"c2"_s));
        QVERIFY(result && result->orphanedCacheFiles.isEmpty()); // metadata only: the copy stays
        QCOMPARE(cacheFiles(), QStringList{u"file-a.wav"_s});

        Call reencoded = same;
        reencoded.recording->sizeBytes = 5000;
        result = mirror.applyPage(pageOf({reencoded}, u"c3"_s));
        QVERIFY(result);
        QCOMPARE(result->orphanedCacheFiles, QStringList{u"file-a.wav"_s});
        QVERIFY(cacheFiles().isEmpty());
        QCOMPARE(due().size(), 1); // to be fetched again
    }

    void presentIsRefusedForARowThatChangedMeanwhile()
    {
        CallMirror mirror(db());
        QVERIFY(mirror.applyPage(pageOf({makeCall(2, 2000)}, u"c1"_s)));
        const QList<TransferCandidate> candidates = due();
        QVERIFY(!candidates.isEmpty());
        const TransferCandidate candidate = candidates.first();
        Call reencoded = makeCall(2, 2000);
        reencoded.recording->sha256 = QString(64, u'b');
        QVERIFY(mirror.applyPage(pageOf({reencoded}, u"c2"_s)));
        const auto marked = recordPresent(candidate, u"stale.wav"_s);
        QVERIFY(marked);
        QVERIFY(!*marked); // the downloaded bytes are of the old content: an orphan
    }

    void aRecordingWithoutAHashCanBeMarkedPresent()
    {
        Call call = makeCall(8, 8000);
        call.recording->sha256.clear(); // the contract allows null
        CallMirror mirror(db());
        QVERIFY(mirror.applyPage(pageOf({call}, u"c1"_s)));
        const QList<TransferCandidate> candidates = due();
        QCOMPARE(candidates.size(), 1);
        QVERIFY(candidates.first().sha256.isEmpty());
        TransferCandidate candidate = candidates.first();
        candidate.sha256 = QString(); // null, not empty: bound as SQL NULL, and still the same content
        const auto marked = recordPresent(candidate, u"nohash.wav"_s);
        QVERIFY2(marked, qPrintable(marked.error()));
        QVERIFY(*marked);
        QCOMPARE(cacheFiles(), QStringList{u"nohash.wav"_s});
    }

    void replacedOrRemovedRecordingsAndTombstonesReportTheirFiles()
    {
        CallMirror mirror(db());
        QVERIFY(mirrorThreeCachedCalls(mirror));

        Call replaced = makeCall(2, 2000);
        replaced.recording->id = u"rec-2-new"_s;
        Call removed = makeCall(4, 4000);
        removed.recording.reset();
        CallsPage page = pageOf({replaced, removed}, u"c2"_s);
        page.tombstones.append({u"call-6"_s, u"2026-11-21T00:00:00Z"_s});
        const auto result = mirror.applyPage(page);
        QVERIFY2(result, qPrintable(result.error()));
        QCOMPARE(result->callsDeleted, 1);
        auto orphans = result->orphanedCacheFiles;
        orphans.sort();
        QCOMPARE(orphans, QStringList({u"rec-2.wav"_s, u"rec-4.wav"_s, u"rec-6.wav"_s}));
        QCOMPARE(countRows(db(), u"calls"_s), 2);
        QCOMPARE(countRows(db(), u"recordings"_s), 1); // only rec-2-new, not yet cached
        QVERIFY(cacheFiles().isEmpty());
    }

    // A page that lists a call twice means its later listing: a recording the later one
    // took away stays away (audited, its copy reported), and two recordings in turn do not
    // collide.
    void aCallListedTwiceInAPageIsWrittenAsItsLaterListing()
    {
        CallMirror mirror(db(), u"user-7"_s);
        QVERIFY(mirrorThreeCachedCalls(mirror));
        Call withoutRecording = makeCall(2, 2000);
        withoutRecording.recording.reset();
        Call firstNew = makeCall(8, 8000);
        Call secondNew = firstNew;
        secondNew.recording->id = u"rec-8-again"_s;

        const auto result =
            mirror.applyPage(pageOf({makeCall(2, 2000), firstNew, withoutRecording, secondNew}, u"c2"_s));
        QVERIFY2(result, qPrintable(result.error()));
        QCOMPARE(result->callsWritten, 2);
        QCOMPARE(result->orphanedCacheFiles, QStringList({u"rec-2.wav"_s}));
        QSqlQuery recordings(u"SELECT call_id, id FROM recordings WHERE call_id IN ('call-2', 'call-8')"_s, db());
        QVERIFY(recordings.next());
        QCOMPARE(recordings.value(0).toString() + u'/' + recordings.value(1).toString(), u"call-8/rec-8-again"_s);
        QVERIFY(!recordings.next());
        QCOMPARE(countRows(db(), u"audit_events"_s), 1);
        QVERIFY(storeIsSound());
    }

    void copiesThePageTakesAwayAreAuditedInItsTransaction()
    {
        CallMirror mirror(db(), u"user-7"_s);
        QVERIFY(mirrorThreeCachedCalls(mirror));

        Call replaced = makeCall(2, 2000);
        replaced.recording->id = u"rec-2-new"_s;
        Call untouched = makeCall(4, 4000);
        untouched.outcome = u"voicemail"_s; // metadata only: the copy stays, nothing to audit
        CallsPage page = pageOf({replaced, untouched}, u"c2"_s);
        page.tombstones.append({u"call-6"_s, u"2026-11-21T00:00:00Z"_s});

        bool threw = false;
        try {
            (void)mirror.applyPage(page, [] { throw std::runtime_error("process died before COMMIT"); });
        } catch (const std::runtime_error &) {
            threw = true;
        }
        QVERIFY(threw);
        QCOMPARE(countRows(db(), u"audit_events"_s), 0); // the events went with the rows

        const auto result = mirror.applyPage(page);
        QVERIFY2(result, qPrintable(result.error()));
        QSqlQuery events(u"SELECT type, user_id, call_id, recording_id, reason, sha256 FROM audit_events "
                         "ORDER BY recording_id"_s, db());
        QStringList seen;
        while (events.next()) {
            QCOMPARE(events.value(0).toString(), u"recording.deleted_local"_s);
            QCOMPARE(events.value(1).toString(), u"user-7"_s);
            QCOMPARE(events.value(4).toString(), u"deleted_on_server"_s);
            QCOMPARE(events.value(5).toString(), QString(64, u'a'));
            seen << events.value(2).toString() + u'/' + events.value(3).toString();
        }
        QCOMPARE(seen, QStringList({u"call-2/rec-2"_s, u"call-6/rec-6"_s}));
        QCOMPARE(AuditLog(db()).verifyChain(), QStringList());
    }

private:
    QSqlDatabase db() const { return m_store->db(); }

    // The agent's own ledger of the cache, the one place that says "present".
    TransferLedger ledger() const
    {
        const QString cache = m_store->filePath(u"cache"_s);
        QDir().mkpath(cache);
        return TransferLedger(db(), cache);
    }
    QList<TransferCandidate> due() const
    {
        const auto due = ledger().due(0, 10);
        return due ? *due : QList<TransferCandidate>();
    }
    // As a finished download does: false when the row no longer describes what was fetched.
    Expected<bool> recordPresent(const TransferCandidate &candidate, const QString &file) const
    {
        TransferLedger writer = ledger();
        writer.recordPresent(candidate, file);
        const TransferLedger::Flushed flushed = writer.flush();
        if (!flushed.status)
            return Expected<bool>::failure(flushed.status.error());
        return !flushed.supersededDownloads.contains(candidate.recordingId);
    }
    QStringList cacheFiles() const { return ledger().protectedCacheFiles(); }

    qint64 pragma(const QString &name) const
    {
        QSqlQuery query(u"PRAGMA "_s + name, db());
        return query.next() ? query.value(0).toLongLong() : -1;
    }
    bool foreignKeysOn() const { return pragma(u"foreign_keys"_s) == 1; }

    bool storeIsSound() const
    {
        QSqlQuery integrity(u"PRAGMA integrity_check"_s, db());
        QSqlQuery references(u"PRAGMA foreign_key_check"_s, db());
        return integrity.next() && integrity.value(0).toString() == u"ok"_s && !references.next();
    }

    std::optional<testsupport::TemporaryStore> m_store;
};

QTEST_GUILESS_MAIN(TestCallMirror)
#include "tst_callmirror.moc"
