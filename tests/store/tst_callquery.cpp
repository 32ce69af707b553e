// The list query: keyset pages return every call exactly once, newest first, under every
// filter, and the filter bar offers every outcome the server has sent.
#include "callfixtures.h"
#include "store/callmirror.h"
#include "store/callquery.h"
#include "testsupport/temporary_store.h"

#include <QSet>
#include <QTest>

#include <limits>
#include <stdexcept>

using namespace Qt::StringLiterals;
using namespace earshot;
using namespace earshot::testing;

class TestCallQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keysetPagingReturnsEveryCallOnceNewestFirst()
    {
        testsupport::TemporaryStore store;
        QVERIFY2(store.isOpen(), qPrintable(store.error()));
        const QSqlDatabase db = store.db();
        CallMirror mirror(db);
        QList<Call> calls;
        for (int n = 0; n < 1000; ++n)
            calls.append(makeCall(n, 1'000'000 + (n / 10) * 1000)); // ten calls share each start time
        QVERIFY(mirror.applyPage(pageOf(calls, u"c"_s, false)));

        const CallQuery query(db);
        for (const CallFilter &filter :
             {CallFilter{}, CallFilter{.agentId = u"agent-1"_s},
              CallFilter{.listScope = CallFilter::ListScope::ManualDial}, CallFilter{.outcome = u"no_answer"_s},
              CallFilter{.agentId = u"agent-2"_s, .outcome = u"connected"_s}}) {
            QStringList seen;
            std::optional<CallPosition> after;
            qint64 lastStart = std::numeric_limits<qint64>::max();
            for (;;) {
                const auto rows = query.fetchPage(filter, after, 37);
                QVERIFY2(rows, qPrintable(rows.error()));
                if (rows->isEmpty())
                    break;
                for (const CallRow &row : *rows) {
                    QVERIFY(row.startedAtMs <= lastStart);
                    lastStart = row.startedAtMs;
                    seen << row.id;
                }
                after = CallPosition{rows->last().startedAtMs, rows->last().id};
            }
            QCOMPARE(qint64(seen.size()), *query.count(filter));
            QCOMPARE(qint64(QSet<QString>(seen.cbegin(), seen.cend()).size()), *query.count(filter));
        }
        QCOMPARE(*query.count(CallFilter{.listScope = CallFilter::ListScope::ManualDial}), 250);
        QCOMPARE(*query.count(CallFilter{.outcome = u"no_answer"_s}), 500);
        QCOMPARE(*query.count(CallFilter{.agentId = u"agent-2"_s, .outcome = u"connected"_s}), 167); // n % 6 == 2
        QCOMPARE(*query.count(CallFilter{.leadText = u"0103"_s}), 143); // by phone: n % 7 == 3
        QCOMPARE(*query.count(CallFilter{.leadText = u"50%"_s}), 0);    // LIKE wildcards are literal
    }

    // Outcomes are an open set: each one a page brings is offered once, whatever it is,
    // and one whose page did not commit is not.
    void theFilterBarOffersEveryOutcomeThePagesBrought()
    {
        testsupport::TemporaryStore store;
        QVERIFY2(store.isOpen(), qPrintable(store.error()));
        const QSqlDatabase db = store.db();
        CallMirror mirror(db);
        QCOMPARE(CallQuery(db).outcomes(), QStringList());
        QVERIFY(mirror.applyPage(pageOf({makeCall(1, 1000), makeCall(2, 2000), makeCall(3, 3000)}, u"c1"_s)));
        QCOMPARE(CallQuery(db).outcomes(), QStringList({u"connected"_s, u"no_answer"_s}));

        Call scheduled = makeCall(4, 4000);
        scheduled.outcome = u"callback_scheduled"_s;
        Call rolledBack = makeCall(5, 5000);
        rolledBack.outcome = u"DNC/Opt-out"_s;
        bool threw = false;
        try {
            (void)mirror.applyPage(pageOf({rolledBack}, u"c2"_s),
                                   [] { throw std::runtime_error("process died before COMMIT"); });
        } catch (const std::runtime_error &) {
            threw = true;
        }
        QVERIFY(threw);
        QVERIFY(mirror.applyPage(pageOf({scheduled, makeCall(6, 6000)}, u"c2"_s)));
        QCOMPARE(CallQuery(db).outcomes(),
                 QStringList({u"callback_scheduled"_s, u"connected"_s, u"no_answer"_s}));
        QCOMPARE(*CallQuery(db).count(CallFilter{.outcome = u"callback_scheduled"_s}), 1);
    }
};

QTEST_GUILESS_MAIN(TestCallQuery)
#include "tst_callquery.moc"
