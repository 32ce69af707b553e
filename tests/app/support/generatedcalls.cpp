#include "generatedcalls.h"

#include "store/callmirror.h"
#include "store/writetransaction.h"

#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot::testsupport {

namespace {

const QList<Agent> kAgents = {
    {u"agent-01"_s, u"Daniel Ruiz"_s},      {u"agent-02"_s, u"Priya Natarajan"_s},
    {u"agent-03"_s, u"Marcus Webb"_s},      {u"agent-04"_s, u"Sofia Lindqvist"_s},
    {u"agent-05"_s, u"Amara Okafor"_s},     {u"agent-06"_s, u"Kenji Watanabe"_s},
    {u"agent-07"_s, u"Lucía Fernández"_s},  {u"agent-08"_s, u"Tom O'Brien"_s},
};

const QList<DialList> kLists = {
    {u"list-renewals"_s, u"Spring renewals"_s},
    {u"list-winback"_s, u"Win-back Q4"_s},
    {u"list-appointments"_s, u"Appointment reminders"_s},
    {u"list-billing"_s, u"Billing follow-up"_s},
};

const QStringList kFirstNames = {u"Olivia"_s, u"Liam"_s, u"Emma"_s, u"Noah"_s, u"Ava"_s, u"Elijah"_s,
                                 u"Mia"_s, u"James"_s, u"Harper"_s, u"Lucas"_s, u"Grace"_s, u"Henry"_s};
const QStringList kLastNames = {u"Carter"_s, u"Nguyen"_s, u"Patel"_s, u"Johnson"_s, u"Kowalski"_s,
                                u"Moreau"_s, u"Schmidt"_s, u"Rossi"_s, u"Haddad"_s, u"Silva"_s};

// Leads whose names test case-folding and LIKE escaping.
const QList<Lead> kSpecialLeads = {
    {u"lead-special-1"_s, u"José Álvarez"_s, u"+34 911 000 123"_s},
    {u"lead-special-2"_s, u"Zoë Ørsted"_s, u"+45 3300 1234"_s},
    {u"lead-special-3"_s, u"100% Pure Water Ltd"_s, u"+1 555-300-0100"_s},
    {u"lead-special-4"_s, u"Under_Score Holdings"_s, u"+1 555-300-0200"_s},
};

const QStringList kFormats = {u"wav"_s, u"mp3"_s, u"m4a"_s, u"ogg"_s, u"opus"_s};

template <typename List>
const auto &anyOf(QRandomGenerator &random, const List &list)
{
    return list.at(random.bounded(static_cast<int>(list.size())));
}

QString pick(QRandomGenerator &random, const QList<std::pair<int, QString>> &weighted)
{
    int total = 0;
    for (const auto &entry : weighted)
        total += entry.first;
    int roll = random.bounded(total);
    for (const auto &[weight, value] : weighted) {
        if (roll < weight)
            return value;
        roll -= weight;
    }
    return weighted.last().second;
}

QString randomSha(QRandomGenerator &random)
{
    QString hex;
    for (int i = 0; i < 8; ++i)
        hex += u"%1"_s.arg(random.generate(), 8, 16, QChar(u'0'));
    return hex;
}

QList<Lead> makeLeads(QRandomGenerator &random)
{
    QList<Lead> leads = kSpecialLeads;
    for (int i = 0; i < 400; ++i) {
        const QString name = anyOf(random, kFirstNames) + u' '
            + anyOf(random, kLastNames);
        leads.append({u"lead-%1"_s.arg(i, 4, 10, QChar(u'0')), name,
                      u"+1 555-%1-%2"_s.arg(200 + i / 100).arg(i % 100 * 97 % 10000, 4, 10, QChar(u'0'))});
    }
    return leads;
}

} // namespace

QDateTime generatedNewest()
{
    return QDateTime(QDate(2026, 11, 20), QTime(17, 0), Qt::UTC);
}

Call makeCall(const QString &id, const QDateTime &startedAt, const QString &agentId)
{
    Call call;
    call.id = id;
    call.lead = {u"lead-new-"_s + id, u"New Lead "_s + id, u"+1 555-999-0000"_s};
    call.agent = *std::find_if(kAgents.cbegin(), kAgents.cend(), [&](const Agent &a) { return a.id == agentId; });
    call.list = kLists.first();
    call.direction = Direction::Outbound;
    call.outcome = u"connected"_s;
    call.startedAt = startedAt.toUTC();
    call.durationSeconds = 125;
    call.recording = Recording{u"rec-"_s + id, u"mp3"_s, 100000, 125, QString(), 1, RecordingStatus::Available};
    call.updatedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    return call;
}

GeneratedCalls generateCalls(int count, quint32 seed)
{
    QRandomGenerator random(seed);
    const QList<Lead> leads = makeLeads(random);
    GeneratedCalls generated;
    QDateTime startedAt = generatedNewest();
    for (int i = 0; i < count; ++i) {
        // Every 37th call starts in the same millisecond as the one before it.
        if (i > 0 && i % 37 != 0)
            startedAt = startedAt.addMSecs(-qint64(random.bounded(1000, 20 * 60 * 1000)));
        Call call;
        call.id = u"call-%1"_s.arg(count - i, 6, 10, QChar(u'0'));
        call.lead = i % 50 == 0 ? kSpecialLeads.at((i / 50) % kSpecialLeads.size())
                                : anyOf(random, leads);
        call.agent = anyOf(random, kAgents);
        if (random.bounded(5) != 0)
            call.list = anyOf(random, kLists);
        call.direction = random.bounded(10) < 7 ? Direction::Outbound : Direction::Inbound;
        call.outcome = pick(random, {{45, u"connected"_s}, {20, u"no_answer"_s}, {15, u"voicemail"_s},
                                     {8, u"busy"_s}, {5, u"invalid_number"_s}, {5, u"callback_requested"_s},
                                     {2, u"Left Message"_s}});
        call.startedAt = startedAt;
        const bool talked = call.outcome != u"no_answer" && call.outcome != u"busy"
            && call.outcome != u"invalid_number";
        call.durationSeconds = talked ? random.bounded(20, 900) : 0;
        if (talked && random.bounded(10) != 0) {
            Recording recording;
            recording.id = u"rec-"_s + call.id;
            recording.format = anyOf(random, kFormats);
            recording.sizeBytes = random.bounded(20000, 3000000);
            recording.durationSeconds = double(call.durationSeconds);
            recording.sha256 = random.bounded(4) == 0 ? QString() : randomSha(random);
            recording.channels = random.bounded(3) == 0 ? 2 : 1;
            const QString state = pick(random, {{60, u"available"_s}, {15, u"cached"_s}, {10, u"pending"_s},
                                                {8, u"failed"_s}, {7, u"unavailable"_s}});
            recording.status = state == u"cached" ? RecordingStatus::Available
                                                  : *recordingStatusFromString(state);
            if (state == u"cached")
                generated.cachedIds.insert(call.id);
            call.recording = recording;
        }
        call.updatedAt = startedAt.addSecs(call.durationSeconds + 60).toString(Qt::ISODateWithMs);
        generated.calls.append(call);
    }
    return generated;
}

Status writeCalls(const QSqlDatabase &db, const QList<Call> &calls, bool completesPass)
{
    constexpr qsizetype kPage = 500;
    CallMirror mirror(db);
    for (qsizetype start = 0; start < calls.size() || start == 0; start += kPage) {
        CallsPage page;
        page.calls = calls.mid(start, kPage);
        page.hasMore = !completesPass || start + kPage < calls.size();
        page.nextCursor = u"cursor-%1"_s.arg(start + page.calls.size());
        if (auto written = mirror.applyPage(page); !written)
            return Status::failure(written.error());
        if (calls.isEmpty())
            break;
    }
    return Status::ok();
}

Status writeTombstones(const QSqlDatabase &db, const QStringList &callIds)
{
    CallsPage page;
    for (const QString &id : callIds)
        page.tombstones.append({id, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
    page.nextCursor = u"cursor-tombstones"_s;
    if (auto written = CallMirror(db).applyPage(page); !written)
        return Status::failure(written.error());
    return Status::ok();
}

Status markCached(const QSqlDatabase &db, const QList<Call> &calls, const QSet<QString> &ids,
                  const std::function<QString(const Call &)> &cacheFileOf)
{
    // What the agent's TransferLedger records once a download is verified and renamed.
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    QSqlQuery query(db);
    query.prepare(uR"(UPDATE recordings SET cache_state = 'present', cache_file = ?, cached_bytes = size_bytes,
                          cached_at = ? WHERE id = ? AND call_id = ?)"_s);
    for (const Call &call : calls) {
        if (!ids.contains(call.id) || !call.recording)
            continue;
        query.addBindValue(cacheFileOf(call));
        query.addBindValue(QDateTime::currentMSecsSinceEpoch());
        query.addBindValue(call.recording->id);
        query.addBindValue(call.id);
        if (!query.exec())
            return Status::failure(query.lastError().text());
        if (query.numRowsAffected() != 1)
            return Status::failure(u"the store has no recording of call %1 to mark cached"_s.arg(call.id));
    }
    return transaction.commit();
}

bool matches(const Call &call, const CallFilter &filter)
{
    const QString text = filter.leadText.trimmed();
    if (!text.isEmpty() && !call.lead.name.contains(text, Qt::CaseInsensitive)
        && !call.lead.phone.contains(text, Qt::CaseInsensitive))
        return false;
    if (!filter.agentId.isEmpty() && call.agent.id != filter.agentId)
        return false;
    if (filter.listScope == CallFilter::ListScope::ManualDial && call.list)
        return false;
    if (filter.listScope == CallFilter::ListScope::Specific && (!call.list || call.list->id != filter.listId))
        return false;
    if (!filter.outcome.isEmpty() && call.outcome != filter.outcome)
        return false;
    if (filter.startedFrom && call.startedAt < *filter.startedFrom)
        return false;
    if (filter.startedBefore && !(call.startedAt < *filter.startedBefore))
        return false;
    return true;
}

QStringList expectedIds(const QList<Call> &calls, const CallFilter &filter)
{
    QList<const Call *> matching;
    for (const Call &call : calls) {
        if (matches(call, filter))
            matching.append(&call);
    }
    std::sort(matching.begin(), matching.end(), [](const Call *a, const Call *b) {
        if (a->startedAt != b->startedAt)
            return a->startedAt > b->startedAt;
        return a->id > b->id;
    });
    QStringList ids;
    for (const Call *call : matching)
        ids.append(call->id);
    return ids;
}

} // namespace earshot::testsupport
