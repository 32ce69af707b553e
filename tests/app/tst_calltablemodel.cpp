// The call list model over a generated store: lazy keyset paging, every filter against
// an independent reference, the texts a person reads, and picking up what another
// connection (the sync agent) commits without losing the person's place.

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
#include <QSqlQuery>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace earshot;
using namespace earshot::testsupport;

using namespace earshot::apptest;

namespace earshot::apptest {

std::unique_ptr<Store> makeStore(int count)
{
    auto store = std::make_unique<Store>();
    if (!store->dir.isValid())
        return nullptr;
    auto app = Database::open(store->path());
    auto agent = Database::open(store->path());
    if (!app || !agent) {
        qWarning() << app.error() << agent.error();
        return nullptr;
    }
    store->app = std::move(app).value();
    store->agent = std::move(agent).value();
    GeneratedCalls generated = generateCalls(count);
    if (Status written = writeCalls(store->agent->connection(), generated.calls); !written) {
        qWarning() << written.error();
        return nullptr;
    }
    if (Status cached = markCached(store->agent->connection(), generated.calls, generated.cachedIds,
                                   [](const Call &call) -> QString { return call.id + u'.' + call.recording->format; });
        !cached) {
        qWarning() << cached.error();
        return nullptr;
    }
    store->calls = generated.calls;
    return store;
}

QStringList loadedIds(const CallTableModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, 0).data(CallTableModel::CallIdRole).toString());
    return ids;
}

void fetchAll(CallTableModel &model)
{
    for (int guard = 0; model.canFetchMore({}) && guard < 100000; ++guard)
        model.fetchMore({});
}

QString cell(const CallTableModel &model, int row, int column, int role)
{
    return model.index(row, column).data(role).toString();
}

} // namespace earshot::apptest

void TestCallTableModel::initTestCase()
{
    QCOMPARE(qEnvironmentVariable("TZ"), u"EST5EDT,M3.2.0,M11.1.0"_s);
    m_store = makeStore(3000);
    QVERIFY(m_store);
}

void TestCallTableModel::fetchesLazilyByPages()
{
    CallTableModel model(m_store->app->connection());
    // Nothing is read until a view (or here, the test) asks; the count is known at once.
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.canFetchMore({}));
    QCOMPARE(model.totalCount(), 3000);
    model.fetchMore({});
    QCOMPARE(model.rowCount(), CallTableModel::kDefaultPageSize);
    QCOMPARE(loadedIds(model), expectedIds(m_store->calls, {}).mid(0, 200));

    // The tester fetches a page or two itself while it checks the model.
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount() % 200, 0);
    int fetches = 0;
    while (model.canFetchMore({})) {
        const int before = model.rowCount();
        model.fetchMore({});
        ++fetches;
        const int added = model.rowCount() - before;
        QVERIFY2(added <= 200, qPrintable(u"one fetch added %1 rows"_s.arg(added)));
        if (model.canFetchMore({}))
            QCOMPARE(added, 200);
        QVERIFY(fetches < 50);
    }
    QCOMPARE(model.rowCount(), 3000);
    QVERIFY(!model.canFetchMore({}));
    QCOMPARE(loadedIds(model), expectedIds(m_store->calls, {}));
    // Further fetches are no-ops.
    model.fetchMore({});
    QCOMPARE(model.rowCount(), 3000);
}

void TestCallTableModel::filters_data()
{
    QTest::addColumn<CallFilter>("filter");
    QTest::addColumn<bool>("mayBeEmpty");

    const QList<Call> &calls = m_store->calls;
    const auto withLead = [](const QString &text) {
        CallFilter filter;
        filter.leadText = text;
        return filter;
    };
    QTest::newRow("lead name part") << withLead(u"carter"_s) << false;
    QTest::newRow("lead name other case") << withLead(u"cArTeR"_s) << false;
    QTest::newRow("lead full name") << withLead(calls.at(11).lead.name) << false;
    QTest::newRow("lead text trimmed") << withLead(u"  Nguyen  "_s) << false;
    QTest::newRow("lead phone part") << withLead(u"555-201"_s) << false;
    QTest::newRow("lead full phone") << withLead(calls.at(23).lead.phone) << false;
    QTest::newRow("lead percent is literal") << withLead(u"100%"_s) << false;
    QTest::newRow("lead underscore is literal") << withLead(u"r_s"_s) << false;
    QTest::newRow("lead non-ASCII same case") << withLead(u"José"_s) << false;
    QTest::newRow("lead nobody") << withLead(u"zz-nobody-zz"_s) << true;

    CallFilter agent;
    agent.agentId = u"agent-03"_s;
    QTest::newRow("agent") << agent << false;

    CallFilter list;
    list.listScope = CallFilter::ListScope::Specific;
    list.listId = u"list-winback"_s;
    QTest::newRow("dial list") << list << false;

    CallFilter manual;
    manual.listScope = CallFilter::ListScope::ManualDial;
    QTest::newRow("manual dial") << manual << false;

    CallFilter outcome;
    outcome.outcome = u"no_answer"_s;
    QTest::newRow("outcome") << outcome << false;
    CallFilter unknownOutcome;
    unknownOutcome.outcome = u"Left Message"_s;
    QTest::newRow("unknown outcome") << unknownOutcome << false;

    const QDate newestDay = generatedNewest().toLocalTime().date();
    const UtcRange days = utcRangeForLocalDays(newestDay.addDays(-9), newestDay.addDays(-7));
    CallFilter dates;
    dates.startedFrom = days.from;
    dates.startedBefore = days.before;
    QTest::newRow("date range") << dates << false;
    CallFilter oneDay;
    const UtcRange day = utcRangeForLocalDays(newestDay, newestDay);
    oneDay.startedFrom = day.from;
    oneDay.startedBefore = day.before;
    QTest::newRow("newest day") << oneDay << false;

    CallFilter agentOutcome = agent;
    agentOutcome.outcome = u"connected"_s;
    QTest::newRow("agent and outcome") << agentOutcome << false;

    CallFilter listDatesLead = list;
    listDatesLead.startedFrom = utcRangeForLocalDays(newestDay.addDays(-20), newestDay).from;
    listDatesLead.startedBefore = days.before;
    listDatesLead.leadText = u"a"_s;
    QTest::newRow("list, dates and lead") << listDatesLead << false;

    CallFilter manualAgentOutcome = manual;
    manualAgentOutcome.agentId = u"agent-05"_s;
    manualAgentOutcome.outcome = u"voicemail"_s;
    QTest::newRow("manual dial, agent and outcome") << manualAgentOutcome << false;
}

void TestCallTableModel::filters()
{
    QFETCH(CallFilter, filter);
    QFETCH(bool, mayBeEmpty);
    const QStringList expected = expectedIds(m_store->calls, filter);
    QVERIFY2(mayBeEmpty || !expected.isEmpty(), "the generated data should have calls for this filter");
    QVERIFY(expected.size() < m_store->calls.size() || filter.isEmpty());

    CallTableModel model(m_store->app->connection());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPageSize(97); // pages that end mid-way through ties too
    model.setFilter(filter);
    QCOMPARE(model.totalCount(), expected.size());
    fetchAll(model);
    QCOMPARE(loadedIds(model), expected);
}

void TestCallTableModel::leadTextFoldsNonAsciiCase()
{
    CallFilter filter;
    filter.leadText = u"JOSÉ"_s;
    CallTableModel model(m_store->app->connection());
    model.setFilter(filter);
    fetchAll(model);
    QCOMPARE(loadedIds(model), expectedIds(m_store->calls, filter));
}

void TestCallTableModel::filterChangeResets()
{
    // No tester here: it fetches on every reset, as a view would, and this test looks
    // at the state right after one.
    CallTableModel model(m_store->app->connection());
    model.fetchMore({});
    model.fetchMore({});
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy counts(&model, &CallTableModel::totalCountChanged);
    CallFilter filter;
    filter.agentId = u"agent-01"_s;
    model.setFilter(filter);
    QCOMPARE(resets.size(), 1);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.canFetchMore({}));
    QCOMPARE(counts.size(), 1);
    QCOMPARE(counts.first().first().toLongLong(), expectedIds(m_store->calls, filter).size());
    model.fetchMore({});
    QCOMPARE(loadedIds(model), expectedIds(m_store->calls, filter).mid(0, model.rowCount()));
    model.setFilter({});
    QCOMPARE(model.totalCount(), m_store->calls.size());
}

void TestCallTableModel::displayTexts()
{
    auto store = makeStore(0);
    QVERIFY(store);
    QList<Call> calls;
    // 19:30 UTC on 5 March 2026 is 14:30 in New York (EST, before the clocks change).
    Call manual = makeCall(u"call-a"_s, QDateTime(QDate(2026, 3, 5), QTime(19, 30), Qt::UTC));
    manual.list.reset();
    manual.outcome = u"no_answer"_s;
    manual.direction = Direction::Inbound;
    manual.durationSeconds = 65;
    manual.recording.reset();
    manual.lead = {u"lead-a"_s, u"Ava Carter"_s, u"+1 555-201-0042"_s};
    calls << manual;
    // 12:00 UTC on 4 July is 08:00 in New York (EDT).
    Call cached = makeCall(u"call-b"_s, QDateTime(QDate(2026, 7, 4), QTime(12, 0), Qt::UTC));
    cached.outcome = u"callback_requested"_s;
    cached.durationSeconds = 3725;
    calls << cached;
    const auto addWith = [&calls](const QString &id, int minutes, const QString &outcome,
                                  std::optional<RecordingStatus> status, qint64 duration) {
        Call call = makeCall(id, QDateTime(QDate(2026, 1, 10), QTime(9, minutes), Qt::UTC));
        call.outcome = outcome;
        call.durationSeconds = duration;
        if (status)
            call.recording->status = *status;
        else
            call.recording.reset();
        calls << call;
    };
    addWith(u"call-c"_s, 5, u"Left Message"_s, RecordingStatus::Pending, 9);
    addWith(u"call-d"_s, 4, u"voicemail"_s, RecordingStatus::Failed, 59);
    addWith(u"call-e"_s, 3, u"busy"_s, RecordingStatus::Unavailable, 60);
    addWith(u"call-f"_s, 2, u"invalid_number"_s, RecordingStatus::Available, 0);
    addWith(u"call-g"_s, 1, u"connected"_s, std::nullopt, 600);
    addWith(u"call-h"_s, 0, u"connected"_s, RecordingStatus::Available, 61);
    QVERIFY(writeCalls(store->agent->connection(), calls));
    // The agent gave up on call-h's download after five failed tries, until tomorrow.
    const qint64 nextTry = QDateTime(QDate(2026, 1, 11), QTime(9, 30), Qt::LocalTime).toMSecsSinceEpoch();
    QSqlQuery gaveUp(store->agent->connection());
    QVERIFY(gaveUp.exec(u"UPDATE recordings SET gave_up_at = 1, attempts = 5, next_attempt_at = %1, "
                        "last_error = 'the server certificate is not trusted' WHERE call_id = 'call-h'"_s
                            .arg(nextTry)));
    QVERIFY(markCached(store->agent->connection(), calls, {u"call-b"_s},
                       [](const Call &) { return u"call-b.mp3"_s; }));

    CallTableModel model(store->app->connection());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    fetchAll(model);
    QCOMPARE(loadedIds(model),
             (QStringList{u"call-b"_s, u"call-a"_s, u"call-c"_s, u"call-d"_s, u"call-e"_s, u"call-f"_s, u"call-g"_s,
                          u"call-h"_s}));
    using C = CallTableModel;
    const QStringList rowB{u"2026-07-04 08:00"_s, u"1:02:05"_s, u"New Lead call-b"_s, u"+1 555-999-0000"_s,
                           u"Daniel Ruiz"_s, u"Spring renewals"_s, u"Callback requested"_s, u"Outbound"_s,
                           u"Cached"_s};
    const QStringList rowA{u"2026-03-05 14:30"_s, u"1:05"_s, u"Ava Carter"_s, u"+1 555-201-0042"_s,
                           u"Daniel Ruiz"_s, u"Manual Dial"_s, u"No answer"_s, u"Inbound"_s, u"—"_s};
    for (int column = 0; column < C::ColumnCount; ++column) {
        QCOMPARE(cell(model, 0, column), rowB.at(column));
        QCOMPARE(cell(model, 1, column), rowA.at(column));
    }
    QCOMPARE(cell(model, 2, C::Outcome), u"Left Message"_s);
    QCOMPARE(cell(model, 2, C::Recording), u"Pending"_s);
    QCOMPARE(cell(model, 2, C::Duration), u"0:09"_s);
    QCOMPARE(cell(model, 3, C::Outcome), u"Voicemail"_s);
    QCOMPARE(cell(model, 3, C::Recording), u"Failed"_s);
    QCOMPARE(cell(model, 3, C::Duration), u"0:59"_s);
    QCOMPARE(cell(model, 4, C::Outcome), u"Busy"_s);
    QCOMPARE(cell(model, 4, C::Recording), u"Unavailable"_s);
    QCOMPARE(cell(model, 4, C::Duration), u"1:00"_s);
    QCOMPARE(cell(model, 5, C::Outcome), u"Invalid number"_s);
    QCOMPARE(cell(model, 5, C::Recording), u"Available"_s);
    QCOMPARE(cell(model, 5, C::Duration), u"0:00"_s);
    QCOMPARE(cell(model, 6, C::Outcome), u"Connected"_s);
    QCOMPARE(cell(model, 6, C::Recording), u"—"_s);
    QCOMPARE(cell(model, 6, C::Duration), u"10:00"_s);
    // The agent's own give-up is not the server's failure.
    QCOMPARE(cell(model, 7, C::Recording), u"Download failed"_s);

    // Tool tips add what the cell leaves out.
    QCOMPARE(cell(model, 1, C::Lead, Qt::ToolTipRole), u"Ava Carter · +1 555-201-0042"_s);
    QCOMPARE(cell(model, 1, C::StartedAt, Qt::ToolTipRole), u"2026-03-05 14:30:00 (2026-03-05 19:30 UTC)"_s);
    QVERIFY(cell(model, 1, C::Outcome, Qt::ToolTipRole).contains(u"no_answer"_s));
    QVERIFY(cell(model, 5, C::Recording, Qt::ToolTipRole).contains(u"not downloaded yet"_s));
    QVERIFY(cell(model, 0, C::Recording, Qt::ToolTipRole).contains(u"MP3"_s));
    QVERIFY(cell(model, 3, C::Recording, Qt::ToolTipRole).contains(u"server failed to produce"_s));
    const QString gaveUpDetail = cell(model, 7, C::Recording, Qt::ToolTipRole);
    QVERIFY2(gaveUpDetail.contains(u"after 5 failed tries"_s) && gaveUpDetail.contains(u"certificate is not trusted"_s)
                 && gaveUpDetail.contains(u"2026-01-11 09:30"_s) && gaveUpDetail.contains(u"Play tries now"_s),
             qPrintable(gaveUpDetail));

    // Numbers line up on the right; the rest takes the view's default.
    const QVariant alignment = model.index(0, C::Duration).data(Qt::TextAlignmentRole);
    QCOMPARE(alignment.value<Qt::Alignment>(), Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    QVERIFY(!model.index(0, C::Lead).data(Qt::TextAlignmentRole).isValid());

    // The custom roles.
    QCOMPARE(model.index(1, C::Agent).data(C::CallIdRole).toString(), u"call-a"_s);
    const auto row = model.index(0, C::Outcome).data(C::CallRowRole).value<CallRow>();
    QCOMPARE(row.id, u"call-b"_s);
    QVERIFY(row.cacheState == CacheState::Present);
    QCOMPARE(row.cacheFile, u"call-b.mp3"_s);
    QCOMPARE(model.index(1, 0).data(C::StartedAtRole).toDateTime(),
             QDateTime(QDate(2026, 3, 5), QTime(19, 30), Qt::UTC));
    QVERIFY(model.roleNames().contains(C::CallIdRole));
    for (int column = 0; column < C::ColumnCount; ++column)
        QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());

    // Presentation details that the generated rows do not reach.
    QCOMPARE(presentation::durationText(-3), u"0:00"_s);
    QCOMPARE(presentation::durationText(36000), u"10:00:00"_s);
    QCOMPARE(presentation::outcomeText(u"dnc__requested_"_s), u"Dnc requested"_s);
    QCOMPARE(presentation::outcomeText(u"DNC/Opt-out"_s), u"DNC/Opt-out"_s);
    QCOMPARE(presentation::outcomeText(QString()), QString());
}

void TestCallTableModel::localDaysBecomeUtcRange()
{
    // EST is UTC-5; from 8 March 2026 on, EDT is UTC-4.
    UtcRange range = utcRangeForLocalDays(QDate(2026, 3, 5), QDate(2026, 3, 5));
    QCOMPARE(range.from, QDateTime(QDate(2026, 3, 5), QTime(5, 0), Qt::UTC));
    QCOMPARE(range.before, QDateTime(QDate(2026, 3, 6), QTime(5, 0), Qt::UTC));
    QCOMPARE(range.from.timeSpec(), Qt::UTC);

    // The day the clocks spring forward has 23 hours.
    range = utcRangeForLocalDays(QDate(2026, 3, 8), QDate(2026, 3, 8));
    QCOMPARE(range.from, QDateTime(QDate(2026, 3, 8), QTime(5, 0), Qt::UTC));
    QCOMPARE(range.before, QDateTime(QDate(2026, 3, 9), QTime(4, 0), Qt::UTC));
    QCOMPARE(range.from.secsTo(range.before), 23 * 3600);

    // Days given the wrong way round are the same range.
    range = utcRangeForLocalDays(QDate(2026, 11, 20), QDate(2026, 11, 1));
    QCOMPARE(range.from, QDateTime(QDate(2026, 11, 1), QTime(4, 0), Qt::UTC));
    QCOMPARE(range.before, QDateTime(QDate(2026, 11, 21), QTime(5, 0), Qt::UTC));
}

void TestCallTableModel::rowMergePlansMinimalSteps()
{
    const QList<Call> calls = generateCalls(300, 7).calls;
    const auto rowsOf = [](const QList<Call> &list) {
        QList<CallRow> rows;
        for (const Call &call : list) {
            CallRow row;
            row.id = call.id;
            row.startedAtMs = call.startedAt.toMSecsSinceEpoch();
            row.outcome = call.outcome;
            rows.append(row);
        }
        return rows;
    };
    const QList<CallRow> base = rowsOf(calls);

    // Unchanged lists need no step at all.
    QVERIFY(planRowMerge(base, base).isEmpty());

    QRandomGenerator random(99);
    for (int round = 0; round < 200; ++round) {
        QList<CallRow> current;
        QList<CallRow> fresh;
        int changed = 0;
        for (const CallRow &row : base) {
            const int dice = random.bounded(20);
            if (dice != 0)
                current.append(row); // else: new in fresh
            if (dice == 1)
                continue; // removed in fresh
            CallRow now = row;
            if (dice == 2) {
                now.outcome = u"voicemail"_s;
                changed += row.outcome != now.outcome ? 1 : 0;
            }
            fresh.append(now);
        }
        const QList<RowMergeStep> steps = planRowMerge(current, fresh);
        QList<CallRow> applied = current;
        int updatedRows = 0;
        for (const RowMergeStep &step : steps) {
            QVERIFY(step.count > 0);
            switch (step.kind) {
            case RowMergeStep::Kind::Insert:
                for (int i = 0; i < step.count; ++i)
                    applied.insert(step.row + i, fresh.at(step.freshIndex + i));
                break;
            case RowMergeStep::Kind::Remove:
                applied.remove(step.row, step.count);
                break;
            case RowMergeStep::Kind::Update:
                for (int i = 0; i < step.count; ++i) {
                    QCOMPARE(applied.at(step.row + i).id, fresh.at(step.freshIndex + i).id);
                    applied[step.row + i] = fresh.at(step.freshIndex + i);
                }
                updatedRows += step.count;
                break;
            }
        }
        QCOMPARE(applied.size(), fresh.size());
        for (qsizetype i = 0; i < fresh.size(); ++i)
            QVERIFY(sameContent(applied.at(i), fresh.at(i)));
        QCOMPARE(updatedRows, changed);
    }
}

int main(int argc, char *argv[])
{
    // A zone with daylight saving time, spelled so that it needs no tz database.
    qputenv("TZ", "EST5EDT,M3.2.0,M11.1.0");
    QCoreApplication app(argc, argv);
    TestCallTableModel test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

