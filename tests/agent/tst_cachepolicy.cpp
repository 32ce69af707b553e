// The offline cache's rules on their own, in process: what EvictionPlanner keeps, evicts
// and fetches under a quota, and which recordings each kind of pin matches through its
// call (PinnedRecordings). tst_agentcache shows the same rules through the real agent.
#include "cache/cachedcopy.h"
#include "cache/cachepolicy.h"
#include "cache/localcopyremoval.h"
#include "sync/cachefolder.h"
#include "cache/evictionplanner.h"
#include "cache/pinnedrecordings.h"
#include "transfer/transferledger.h"
#include "domain/callfilter.h"
#include "store/pinstore.h"
#include "testsupport/temporary_store.h"

#include <QDateTime>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <sqlite3.h>

using namespace Qt::StringLiterals;
using earshot::CachedCopy;
using earshot::EvictionPlanner;
using earshot::WantedRecording;

namespace {

CachedCopy copy(const QString &id, qint64 size, qint64 startedAt, qint64 lastUsed, bool pinned = false)
{
    CachedCopy result;
    result.recordingId = id;
    result.sizeBytes = size;
    result.callStartedAtMs = startedAt;
    result.lastUsedAtMs = lastUsed;
    result.pinned = pinned;
    return result;
}

QStringList ids(const QList<CachedCopy> &copies)
{
    QStringList result;
    for (const CachedCopy &c : copies)
        result << c.recordingId;
    return result;
}

// Calls c00001 … (started at 1, 2, … s) by one lead and agent, each with recording r00001 …
// of 1 byte, available and not cached.
bool fillCalls(const QSqlDatabase &db, int count)
{
    const QStringList setup{
        u"INSERT INTO leads(id, name) VALUES ('L', 'Ada')"_s,
        u"INSERT INTO agents(id, name) VALUES ('A', 'Ann')"_s,
        u"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %1) "
        "INSERT INTO calls(id, lead_id, agent_id, direction, outcome, started_at, duration_seconds, updated_at) "
        "SELECT printf('c%05d', i), 'L', 'A', 'outbound', 'connected', i * 1000, 60, 'x' FROM n"_s.arg(count),
        u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, channels, status) "
        "SELECT 'r' || substr(id, 2), id, 'mp3', 1, 1, 1, 'available' FROM calls"_s,
    };
    for (const QString &sql : setup) {
        QSqlQuery query(db);
        if (!query.exec(sql)) {
            qWarning().noquote() << query.lastError().text();
            return false;
        }
    }
    return true;
}

} // namespace

class TstCachePolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plannerEvictsLeastRecentlyUsedUnpinnedOverQuota();
    void plannerKeepsAndFetchesPinsBeyondTheQuota();
    void plannerNeverLetsAnOlderCallDisplaceANewerCopy();
    void plannerFetchesPinnedFirstThenNewest();
    void pinsMatchThroughTheirCalls();
    void queuesReadOnlyTheRowsTheyNeed();
    void pinsOutsideTheWindowOfNewestCallsComeFirst();
};

void TstCachePolicy::plannerEvictsLeastRecentlyUsedUnpinnedOverQuota()
{
    // 5 copies of 10 bytes in a quota of 30: the two least recently used unpinned go,
    // not the pinned one, although it was used longest ago.
    const QList<CachedCopy> cached{copy(u"a"_s, 10, 100, 500), copy(u"b"_s, 10, 200, 300),
                                   copy(u"pinned"_s, 10, 50, 10, true), copy(u"c"_s, 10, 300, 400),
                                   copy(u"d"_s, 10, 400, 900)};
    const auto plan = EvictionPlanner(30).plan(cached, {});
    QCOMPARE(ids(plan.evict), (QStringList{u"b"_s, u"c"_s}));
    QCOMPARE(plan.bytesAfter, 30);
    QVERIFY(!plan.pinsExceedQuota);
}

void TstCachePolicy::plannerKeepsAndFetchesPinsBeyondTheQuota()
{
    const QList<CachedCopy> cached{copy(u"p1"_s, 20, 100, 100, true), copy(u"u"_s, 10, 900, 950)};
    const QList<WantedRecording> wanted{{u"p2"_s, 20, 50, true}, {u"new"_s, 5, 1000, false}};
    const auto plan = EvictionPlanner(30).plan(cached, wanted);
    // The pinned download evicts the unpinned copy, however recent, and still goes over.
    QCOMPARE(plan.fetch, (QStringList{u"p2"_s}));
    QCOMPARE(ids(plan.evict), (QStringList{u"u"_s}));
    QCOMPARE(plan.doesNotFit, (QStringList{u"new"_s}));
    QVERIFY(plan.pinsExceedQuota);
    QCOMPARE(plan.bytesAfter, 40);
}

void TstCachePolicy::plannerNeverLetsAnOlderCallDisplaceANewerCopy()
{
    // Full cache; copies used at 500 (old) and 2000 (recently played).
    const QList<CachedCopy> cached{copy(u"used500"_s, 10, 100, 500), copy(u"used2000"_s, 10, 150, 2000)};
    const QList<WantedRecording> wanted{
        {u"call1000"_s, 10, 1000, false}, // newer than the use at 500: may take its room
        {u"call400"_s, 10, 400, false},   // older than everything held
    };
    const auto plan = EvictionPlanner(20).plan(cached, wanted);
    QCOMPARE(plan.fetch, (QStringList{u"call1000"_s}));
    QCOMPARE(ids(plan.evict), (QStringList{u"used500"_s}));
    QCOMPARE(plan.doesNotFit, (QStringList{u"call400"_s}));

    // Once call1000 is cached (used "now", 3000), what it displaced cannot come back at its
    // expense, and a call before the play at 2000 cannot displace that copy either.
    const QList<CachedCopy> next{copy(u"call1000"_s, 10, 1000, 3000), copy(u"used2000"_s, 10, 150, 2000)};
    const auto again = EvictionPlanner(20).plan(next, {{u"used500"_s, 10, 100, false}, {u"call1500"_s, 10, 1500, false}});
    QVERIFY(again.fetch.isEmpty());
    QVERIFY(again.evict.isEmpty());
    QCOMPARE(again.doesNotFit, (QStringList{u"call1500"_s, u"used500"_s}));

    // Several victims for one download, as few as make room, and only those it outranks.
    const QList<CachedCopy> mixed{copy(u"a"_s, 5, 10, 100), copy(u"b"_s, 5, 20, 200), copy(u"c"_s, 10, 30, 300),
                                  copy(u"d"_s, 10, 40, 5000)};
    const auto several = EvictionPlanner(30).plan(
        mixed, {{u"x"_s, 12, 1000, false}, {u"y"_s, 8, 900, false}, {u"z"_s, 5, 6000, false}});
    // z (newest) takes a's room; x needs 12 more: b and c, not d (used after x's call);
    // y then finds 3 bytes free and nothing it outranks.
    QCOMPARE(several.fetch, (QStringList{u"z"_s, u"x"_s}));
    QCOMPARE(ids(several.evict), (QStringList{u"a"_s, u"b"_s, u"c"_s}));
    QCOMPARE(several.doesNotFit, (QStringList{u"y"_s}));
    QCOMPARE(several.bytesAfter, 10 + 5 + 12);

    // A smaller, older recording may still use room that a larger one could not.
    const auto partly = EvictionPlanner(25).plan({copy(u"x"_s, 10, 100, 5000)},
                                                 {{u"big"_s, 20, 900, false}, {u"small"_s, 10, 800, false}});
    QCOMPARE(partly.fetch, (QStringList{u"small"_s}));
    QCOMPARE(partly.doesNotFit, (QStringList{u"big"_s}));
}

void TstCachePolicy::plannerFetchesPinnedFirstThenNewest()
{
    const QList<WantedRecording> wanted{{u"new"_s, 1, 900, false},
                                        {u"oldPinned"_s, 1, 100, true},
                                        {u"mid"_s, 1, 500, false},
                                        {u"midPinned"_s, 1, 400, true}};
    const auto plan = EvictionPlanner(100).plan({}, wanted);
    QCOMPARE(plan.fetch, (QStringList{u"midPinned"_s, u"oldPinned"_s, u"new"_s, u"mid"_s}));
}

void TstCachePolicy::pinsMatchThroughTheirCalls()
{
    earshot::testsupport::TemporaryStore store;
    QVERIFY2(store.isOpen(), qPrintable(store.error()));
    const QStringList setup{
        u"INSERT INTO leads(id, name, phone) VALUES ('L1', 'Ada', '555'), ('L2', 'Bo', '556')"_s,
        u"INSERT INTO agents(id, name) VALUES ('A1', 'Ann'), ('A2', 'Ben')"_s,
        u"INSERT INTO dial_lists(id, name) VALUES ('D1', 'Renewals')"_s,
        // c1: L1/A1/D1 connected, c2: L2/A2/manual voicemail, c3: L2/A1/D1 busy, c4: L2/A2/D1 connected
        u"INSERT INTO calls(id, lead_id, agent_id, list_id, direction, outcome, started_at, duration_seconds, "
        "updated_at) VALUES ('c1', 'L1', 'A1', 'D1', 'outbound', 'connected', 1000, 60, 'x'), "
        "('c2', 'L2', 'A2', NULL, 'inbound', 'voicemail', 2000, 60, 'x'), "
        "('c3', 'L2', 'A1', 'D1', 'outbound', 'busy', 3000, 60, 'x'), "
        "('c4', 'L2', 'A2', 'D1', 'outbound', 'connected', 4000, 60, 'x')"_s,
        u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, channels, status) VALUES "
        "('r1', 'c1', 'mp3', 1, 1, 1, 'available'), ('r2', 'c2', 'mp3', 1, 1, 1, 'available'), "
        "('r3', 'c3', 'mp3', 1, 1, 1, 'available'), ('r4', 'c4', 'mp3', 1, 1, 1, 'available')"_s,
    };
    for (const QString &sql : setup) {
        QSqlQuery query(store.db());
        QVERIFY2(query.exec(sql), qPrintable(query.lastError().text()));
    }
    earshot::PinStore pins(store.db());
    const earshot::PinnedRecordings pinned(store.db());
    const auto pinnedNow = [&pinned] {
        const auto ids = pinned.recordingIds();
        return ids ? *ids : QSet<QString>{u"error: "_s + ids.error()};
    };
    using Kind = earshot::Pin::Kind;
    QCOMPARE(pinnedNow(), QSet<QString>());
    const earshot::Status pinnedCall = pins.pin({Kind::Call, u"c1"_s, {}});
    QVERIFY2(pinnedCall, qPrintable(pinnedCall.error()));
    QCOMPARE(pinnedNow(), (QSet<QString>{u"r1"_s}));
    QVERIFY(pins.unpin(Kind::Call, u"c1"_s));
    QVERIFY(pins.pin({Kind::List, QString(), u"Manual Dial"_s}));
    QCOMPARE(pinnedNow(), (QSet<QString>{u"r2"_s}));
    QVERIFY(pins.pin({Kind::Agent, u"A1"_s, {}}));
    QCOMPARE(pinnedNow(), (QSet<QString>{u"r1"_s, u"r2"_s, u"r3"_s}));
    QVERIFY(pins.unpin(Kind::Agent, u"A1"_s));
    QVERIFY(pins.unpin(Kind::List, QString()));
    // A saved filter keeps what the call list shows for it: list D1, connected.
    earshot::CallFilter filter;
    filter.listScope = earshot::CallFilter::ListScope::Specific;
    filter.listId = u"D1"_s;
    filter.outcome = u"connected"_s;
    const auto roundTrip = earshot::CallFilter::fromJson(filter.toJson());
    QVERIFY2(roundTrip, qPrintable(roundTrip.error()));
    QVERIFY(*roundTrip == filter);
    QVERIFY(pins.pin({Kind::Filter, QString::fromUtf8(filter.toJson()), u"connected renewals"_s}));
    QCOMPARE(pinnedNow(), (QSet<QString>{u"r1"_s, u"r4"_s}));
    // A lead on top, and a broken filter pin that must not stop the others.
    QVERIFY(pins.pin({Kind::Lead, u"L2"_s, {}}));
    QVERIFY(pins.pin({Kind::Filter, u"{\"list\": 7}"_s, u"broken"_s}));
    QCOMPARE(pinnedNow(), (QSet<QString>{u"r1"_s, u"r2"_s, u"r3"_s, u"r4"_s}));
    QVERIFY(!earshot::CallFilter::fromJson("{\"started_from\": \"yesterday\"}"_ba));
    // What one pin reaches, and how much of it is older than the calls kept (started 2500).
    const auto reach = [&pinned](const earshot::Pin &pin) {
        const auto counted = pinned.reach(pin, 2500);
        return counted ? std::pair{counted->recordings, counted->tooOld} : std::pair{-1, -1};
    };
    QCOMPARE(reach({Kind::Agent, u"A1"_s, {}}), std::pair(2, 1)); // c1 at 1000 and c3 at 3000
    QCOMPARE(reach({Kind::Lead, u"L2"_s, {}}), std::pair(3, 1));  // c2 at 2000
    QCOMPARE(reach({Kind::Call, u"c4"_s, {}}), std::pair(1, 0));
    QCOMPARE(reach({Kind::Call, u"nowhere"_s, {}}), std::pair(0, 0));
}

// The download queue and the list of cached copies run on the agent's engine thread, over
// a store of up to millions of calls. They must read the newest calls until they have
// enough, and the cached rows only, never every recording. SQLite's progress handler
// counts the virtual machine's steps: a measure of work, where a time would be a guess.
void TstCachePolicy::queuesReadOnlyTheRowsTheyNeed()
{
    earshot::testsupport::TemporaryStore store;
    QVERIFY2(store.isOpen(), qPrintable(store.error()));
    constexpr int kCalls = 20000;
    QVERIFY(fillCalls(store.db(), kCalls));
    const QStringList setup{
        // The newest 100 are cached; of the next, two are waiting for a retry.
        u"UPDATE recordings SET cache_state = 'present', cache_file = id || '.bin', cached_at = 1 "
        "WHERE call_id > printf('c%05d', %1)"_s.arg(kCalls - 100),
        u"UPDATE recordings SET attempts = 1, next_attempt_at = 9e15 WHERE id IN ('r19899', 'r19897')"_s,
    };
    for (const QString &sql : setup) {
        QSqlQuery query(store.db());
        QVERIFY2(query.exec(sql), qPrintable(query.lastError().text()));
    }

    sqlite3 *handle = earshot::nativeHandle(store.db());
    QVERIFY(handle);
    constexpr int kStepsPerTick = 1000;
    int ticks = 0;
    sqlite3_progress_handler(
        handle, kStepsPerTick, [](void *counter) { return ++*static_cast<int *>(counter), 0; }, &ticks);
    const auto untick = qScopeGuard([handle] { sqlite3_progress_handler(handle, 0, nullptr, nullptr); });

    const earshot::TransferLedger ledger(store.db(), store.filePath(u"cache"_s));
    const auto due = ledger.due(1000, 4);
    QVERIFY2(due, qPrintable(due.error()));
    QStringList dueIds;
    for (const auto &candidate : *due)
        dueIds << candidate.recordingId;
    QCOMPARE(dueIds, (QStringList{u"r19900"_s, u"r19898"_s, u"r19896"_s, u"r19895"_s}));
    // Sorting every due recording takes hundreds of ticks here; 105 rows take a few.
    QVERIFY2(ticks < 20, qPrintable(u"the queue took %1 ticks of %2 steps"_s.arg(ticks).arg(kStepsPerTick)));

    ticks = 0;
    const auto cached = earshot::readCachedCopies(store.db(), {});
    QVERIFY2(cached, qPrintable(cached.error()));
    QCOMPARE(cached->size(), 100);
    QVERIFY2(ticks < 20, qPrintable(u"the cached copies took %1 ticks of %2 steps"_s.arg(ticks).arg(kStepsPerTick)));
}

// The engine hands the policy a window of the newest calls due; a pinned recording older
// than all of them still comes first.
void TstCachePolicy::pinsOutsideTheWindowOfNewestCallsComeFirst()
{
    earshot::testsupport::TemporaryStore store;
    QVERIFY2(store.isOpen(), qPrintable(store.error()));
    QVERIFY(fillCalls(store.db(), 200));
    QVERIFY(earshot::PinStore(store.db()).pin({earshot::Pin::Kind::Call, u"c00010"_s, {}}));
    QVERIFY(earshot::PinStore(store.db()).pin({earshot::Pin::Kind::Call, u"c00199"_s, {}})); // inside it

    const earshot::TransferLedger ledger(store.db(), store.filePath(u"cache"_s));
    auto window = ledger.due(QDateTime::currentMSecsSinceEpoch(), 3);
    QVERIFY2(window, qPrintable(window.error()));
    QCOMPARE(window->size(), 3);
    const earshot::CacheFolder folder(store.filePath(u"cache"_s));
    earshot::LocalCopyRemoval removal(store.db(), folder, u"user-1"_s);
    earshot::CachePolicy policy(store.db(), removal, earshot::CachePolicy::kDefaultQuotaBytes);
    const auto admitted = policy.admit(*window, ledger);
    QVERIFY2(policy.takeProblem().isEmpty(), "the policy failed");
    QStringList ids;
    for (const auto &candidate : admitted)
        ids << candidate.recordingId;
    QCOMPARE(ids, (QStringList{u"r00199"_s, u"r00010"_s, u"r00200"_s, u"r00198"_s}));
}

QTEST_GUILESS_MAIN(TstCachePolicy)

#include "tst_cachepolicy.moc"
