// The call list model picking up what another connection (the sync agent) commits:
// new calls at the top, the selected call kept, tombstones, filters and bounded reads.

#include "tst_calltablemodel.h"

#include "models/callpresentation.h"
#include "models/callrowmerge.h"
#include "models/calltablemodel.h"
#include "models/localdayrange.h"
#include "store/database.h"
#include "store/storechangewatcher.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace earshot;
using namespace earshot::testsupport;

using namespace earshot::apptest;

void TestCallTableModel::picksUpRowsCommittedByAnotherConnection()
{
    auto store = makeStore(1000);
    QVERIFY(store);
    CallTableModel model(store->app->connection());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    StoreChangeWatcher watcher(store->app->connection());
    connect(&watcher, &StoreChangeWatcher::changed, &model, &CallTableModel::refresh);
    watcher.start();
    watcher.stop(); // checked by hand below, not by the timer

    while (model.rowCount() < 400)
        model.fetchMore({});
    QCOMPARE(model.rowCount(), 400);
    QItemSelectionModel selection(&model);
    selection.setCurrentIndex(model.index(250, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const QString selectedId = cell(model, 250, 0, CallTableModel::CallIdRole);
    const QString updatedId = cell(model, 100, 0, CallTableModel::CallIdRole);
    const QString deletedId = cell(model, 300, 0, CallTableModel::CallIdRole);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

    // The agent commits three new calls, an update and a deletion.
    const QDateTime newest = store->calls.first().startedAt;
    QList<Call> added{makeCall(u"call-new-3"_s, newest.addSecs(300)), makeCall(u"call-new-2"_s, newest.addSecs(200)),
                      makeCall(u"call-new-1"_s, newest.addSecs(100))};
    Call updated = *std::find_if(store->calls.cbegin(), store->calls.cend(),
                                 [&](const Call &call) { return call.id == updatedId; });
    updated.outcome = u"voicemail_left_by_agent"_s;
    QVERIFY(writeCalls(store->agent->connection(), added + QList<Call>{updated}));
    QVERIFY(writeTombstones(store->agent->connection(), {deletedId}));
    watcher.checkNow();

    QCOMPARE(resets.size(), 0);
    QVERIFY(!inserts.isEmpty());
    QCOMPARE(removals.size(), 1);
    QCOMPARE(model.rowCount(), 400 + 3 - 1);
    QCOMPARE(cell(model, 0, 0, CallTableModel::CallIdRole), u"call-new-3"_s);
    QCOMPARE(cell(model, 1, 0, CallTableModel::CallIdRole), u"call-new-2"_s);
    QCOMPARE(cell(model, 2, 0, CallTableModel::CallIdRole), u"call-new-1"_s);
    // The selection still holds the same call, three rows further down.
    QCOMPARE(selection.currentIndex().row(), 253);
    QCOMPARE(selection.currentIndex().data(CallTableModel::CallIdRole).toString(), selectedId);
    QVERIFY(selection.isRowSelected(253, {}));
    // The update arrived as a change of that row only.
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.first().at(0).toModelIndex().row(), 103);
    QCOMPARE(cell(model, 103, CallTableModel::Outcome), u"Voicemail left by agent"_s);
    QCOMPARE(model.rowOfCall(deletedId), -1);
    QCOMPARE(model.totalCount(), 1000 + 3 - 1);

    // Paging on from there neither skips nor repeats a call.
    QVERIFY(model.canFetchMore({}));
    fetchAll(model);
    QList<Call> truth = added + store->calls;
    truth.removeIf([&](const Call &call) { return call.id == deletedId; });
    QCOMPARE(loadedIds(model), expectedIds(truth, {}));
}

void TestCallTableModel::tombstoneAboveSelectionKeepsIt()
{
    auto store = makeStore(500);
    QVERIFY(store);
    CallTableModel model(store->app->connection());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.fetchMore({});
    const int loaded = model.rowCount();
    QVERIFY(loaded >= 200);
    QItemSelectionModel selection(&model);
    selection.setCurrentIndex(model.index(50, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const QString selectedId = cell(model, 50, 0, CallTableModel::CallIdRole);
    const QStringList deleted{cell(model, 0, 0, CallTableModel::CallIdRole),
                              cell(model, 10, 0, CallTableModel::CallIdRole),
                              cell(model, 11, 0, CallTableModel::CallIdRole)};

    QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
    QVERIFY(writeTombstones(store->agent->connection(), deleted));
    model.refresh();
    QCOMPARE(removals.size(), 2); // row 0, then rows 10-11 as one range
    QCOMPARE(model.rowCount(), loaded - 3);
    for (const QString &id : deleted)
        QCOMPARE(model.rowOfCall(id), -1);
    QCOMPARE(selection.currentIndex().row(), 47);
    QCOMPARE(selection.currentIndex().data(CallTableModel::CallIdRole).toString(), selectedId);
    QCOMPARE(model.totalCount(), 500 - 3);
}

void TestCallTableModel::refreshKeepsFilterAndFindsLateOldCalls()
{
    auto store = makeStore(600);
    QVERIFY(store);
    CallTableModel model(store->app->connection());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    CallFilter filter;
    filter.agentId = u"agent-02"_s;
    model.setFilter(filter);
    fetchAll(model);
    QVERIFY(!model.canFetchMore({}));
    const int before = model.rowCount();
    QCOMPARE(before, expectedIds(store->calls, filter).size());

    const QDateTime newest = store->calls.first().startedAt;
    const QDateTime oldest = store->calls.last().startedAt;
    const QList<Call> added{makeCall(u"call-x-new-02"_s, newest.addSecs(60), u"agent-02"_s),
                            makeCall(u"call-x-new-03"_s, newest.addSecs(120), u"agent-03"_s),
                            makeCall(u"call-x-old-02"_s, oldest.addDays(-3), u"agent-02"_s)};
    QVERIFY(writeCalls(store->agent->connection(), added));
    model.refresh();

    QCOMPARE(model.rowCount(), before + 2);
    QCOMPARE(cell(model, 0, 0, CallTableModel::CallIdRole), u"call-x-new-02"_s);
    QCOMPARE(cell(model, model.rowCount() - 1, 0, CallTableModel::CallIdRole), u"call-x-old-02"_s);
    QCOMPARE(model.rowOfCall(u"call-x-new-03"_s), -1);
    QCOMPARE(loadedIds(model), expectedIds(added + store->calls, filter));
    QCOMPARE(model.totalCount(), before + 2);
}

void TestCallTableModel::refreshBeforeAnyFetchStaysLazy()
{
    auto store = makeStore(300);
    QVERIFY(store);
    CallTableModel model(store->app->connection());
    QSignalSpy counts(&model, &CallTableModel::totalCountChanged);
    QVERIFY(writeCalls(store->agent->connection(),
                       {makeCall(u"call-late"_s, store->calls.first().startedAt.addSecs(1))}));
    model.refresh();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.canFetchMore({}));
    QCOMPARE(counts.size(), 1);
    QCOMPARE(model.totalCount(), 301);
    model.fetchMore({});
    QCOMPARE(cell(model, 0, 0, CallTableModel::CallIdRole), u"call-late"_s);
}

void TestCallTableModel::refreshAfterBulkCommitStaysBounded()
{
    auto store = makeStore(400);
    QVERIFY(store);
    CallTableModel model(store->app->connection());
    model.setPageSize(50);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    while (model.rowCount() < 100)
        model.fetchMore({});
    QCOMPARE(model.rowCount(), 100);

    // A first sync of another account commits thousands of newer calls at once.
    QList<Call> bulk;
    const QDateTime newest = store->calls.first().startedAt;
    for (int i = 0; i < 3000; ++i)
        bulk.append(makeCall(u"call-bulk-%1"_s.arg(i, 5, 10, QChar(u'0')), newest.addSecs(3000 - i)));
    QVERIFY(writeCalls(store->agent->connection(), bulk));
    model.refresh();

    // The refresh read a bounded range, newest first; the rest comes by paging.
    QVERIFY2(model.rowCount() <= 100 + 10 * 50 + 50, qPrintable(QString::number(model.rowCount())));
    QCOMPARE(cell(model, 0, 0, CallTableModel::CallIdRole), u"call-bulk-00000"_s);
    QVERIFY(model.canFetchMore({}));
    QCOMPARE(model.totalCount(), 3400);
    fetchAll(model);
    QCOMPARE(loadedIds(model), expectedIds(bulk + store->calls, {}));
}

