#include "demo_seeder.h"

#include "call_generator.h"
#include "call_json.h"
#include "database.h"
#include "demo_names.h"
#include "logging.h"
#include "password_hash.h"

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtSql/QSqlError>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

const QString SeedingMarker = u"seeding_in_progress"_s;
constexpr qint64 MinimumLeads = 800;

struct DemoUser
{
    const char *id;
    const char *email;
    const char *name;
    const char *role;
    qint64 agentSeq; // 0: not an agent
};

// The agent user is agent #1 (Priya Natarajan) and sees only her calls.
constexpr DemoUser demoUsers[] = {
    {"usr_supervisor", "supervisor@demo.test", "Dana Whitfield", "supervisor", 0},
    {"usr_compliance", "compliance@demo.test", "Marguerite Osei", "compliance", 0},
    {"usr_admin", "admin@demo.test", "Tomasz Kowalczyk", "admin", 0},
    {"usr_agent", "agent@demo.test", "Priya Natarajan", "agent", 1},
};

// "call_00000042"; QString::arg() is measurably slow across a million rows.
QString paddedId(QLatin1StringView prefix, qint64 seq, int width)
{
    const QString digits = QString::number(seq);
    return prefix + QString(std::max<qsizetype>(0, width - digits.size()), u'0') + digits;
}

qint64 scalarCount(Database &db, const QString &sql)
{
    QSqlQuery query = db.prepare(sql);
    if (query.exec() && query.next())
        return query.value(0).toLongLong();
    return 0;
}

bool seedLeads(Database &db, qint64 wanted, Prng &prng)
{
    const qint64 existing = scalarCount(db, u"SELECT COUNT(*) FROM leads"_s);
    QSqlQuery insert = db.prepare(u"INSERT INTO leads(seq, id, name, phone) VALUES(?, ?, ?, ?)"_s);
    for (qint64 seq = existing + 1; seq <= wanted; ++seq) {
        const auto pick = [&prng](const auto &names) {
            return QString::fromUtf8(names[static_cast<size_t>(prng.below(qint64(names.size())))]);
        };
        const QString name = pick(demo::firstNames) + u' ' + pick(demo::lastNames);
        const int area = demo::areaCodes[static_cast<size_t>(prng.below(qint64(demo::areaCodes.size())))];
        const QString phone = u"+1"_s + QString::number(area) + u"555"_s
                              + QString::number(100 + prng.below(100)).rightJustified(4, u'0');
        insert.bindValue(0, seq);
        insert.bindValue(1, paddedId("lead_"_L1, seq, 7));
        insert.bindValue(2, name);
        insert.bindValue(3, phone);
        if (!insert.exec())
            return logQueryError(insert, "insert lead");
    }
    return true;
}

struct NamedRow
{
    QString id;
    QString name;
    QString phone; // leads only
};

// Rows of agents, dial_lists or leads indexed by seq (index 0 unused), for rendering.
QList<NamedRow> loadNamedRows(Database &db, const QString &sql)
{
    QList<NamedRow> rows(1);
    QSqlQuery query = db.prepare(sql);
    if (!query.exec()) {
        logQueryError(query, "load names");
        return rows;
    }
    while (query.next()) {
        const qint64 seq = query.value(0).toLongLong();
        if (seq >= rows.size())
            rows.resize(seq + 1);
        rows[seq] = {query.value(1).toString(), query.value(2).toString(), query.value(3).toString()};
    }
    return rows;
}

} // namespace

bool seedingWasInterrupted(Database &db)
{
    return !db.meta(SeedingMarker).isEmpty();
}

bool databaseHasCalls(Database &db)
{
    return scalarCount(db, u"SELECT EXISTS(SELECT 1 FROM calls)"_s) != 0;
}

bool seedOrganization(Database &db, quint64 seed)
{
    if (scalarCount(db, u"SELECT COUNT(*) FROM users"_s) > 0)
        return true;
    if (!db.transaction())
        return false;
    QSqlQuery agent = db.prepare(u"INSERT INTO agents(seq, id, name) VALUES(?, ?, ?)"_s);
    for (size_t i = 0; i < demo::agentNames.size(); ++i) {
        const qint64 seq = static_cast<qint64>(i) + 1;
        agent.bindValue(0, seq);
        agent.bindValue(1, paddedId("agt_"_L1, seq, 2));
        agent.bindValue(2, QString::fromUtf8(demo::agentNames[i]));
        if (!agent.exec())
            return logQueryError(agent, "insert agent");
    }
    QSqlQuery list = db.prepare(u"INSERT INTO dial_lists(seq, id, name) VALUES(?, ?, ?)"_s);
    for (size_t i = 0; i < demo::dialListNames.size(); ++i) {
        const qint64 seq = static_cast<qint64>(i) + 1;
        list.bindValue(0, seq);
        list.bindValue(1, paddedId("lst_"_L1, seq, 2));
        list.bindValue(2, QString::fromUtf8(demo::dialListNames[i]));
        if (!list.exec())
            return logQueryError(list, "insert dial list");
    }
    QSqlQuery user = db.prepare(u"INSERT INTO users(id, email, name, role, password_salt, "
                                "password_hash, agent_seq) VALUES(?, ?, ?, ?, ?, ?, ?)"_s);
    for (const DemoUser &demoUser : demoUsers) {
        const PasswordHash hash = hashPassword(DemoPassword);
        user.bindValue(0, QString::fromLatin1(demoUser.id));
        user.bindValue(1, QString::fromLatin1(demoUser.email));
        user.bindValue(2, QString::fromUtf8(demoUser.name));
        user.bindValue(3, QString::fromLatin1(demoUser.role));
        user.bindValue(4, hash.salt);
        user.bindValue(5, hash.hash);
        user.bindValue(6, demoUser.agentSeq ? QVariant(demoUser.agentSeq) : QVariant());
        if (!user.exec())
            return logQueryError(user, "insert user");
    }
    // A base of leads, so calls created through the admin API have someone to call even
    // when no calls were seeded; seedCalls() adds more for large seeds.
    Prng prng(seed ^ 0x1eadULL);
    if (!seedLeads(db, MinimumLeads, prng))
        return false;
    return db.commit();
}

bool seedCalls(Database &db, qint64 callCount, quint64 seed, const QList<FixtureClip> &clips,
               RecordingPlan plan, QString *error)
{
    if (const QString problem = checkRecordingPlan(plan, callCount, clips); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    // Each lead is called a handful of times over the quarter.
    const qint64 leadCount = std::max<qint64>(MinimumLeads, callCount / 6);
    Prng prng(seed);
    OrganizationSize size{qint64(demo::agentNames.size()), qint64(demo::dialListNames.size()), leadCount};
    CallGenerator generator(seed, size, clips);
    const QList<qint64> startTimes = generator.startTimes(callCount, nowMs);

    // Marked before and cleared inside the seed transaction: a seed that never committed
    // is recognised on the next start instead of being served as if complete.
    if (!db.setMeta(SeedingMarker, u"1"_s))
        return false;
    db.setBulkLoading(true);
    if (!db.transaction() || !seedLeads(db, leadCount, prng)) {
        *error = u"cannot seed leads: %1"_s.arg(db.connection().lastError().text());
        return false;
    }
    const QList<NamedRow> agents = loadNamedRows(db, u"SELECT seq, id, name, '' FROM agents"_s);
    const QList<NamedRow> lists = loadNamedRows(db, u"SELECT seq, id, name, '' FROM dial_lists"_s);
    const QList<NamedRow> leads = loadNamedRows(db, u"SELECT seq, id, name, phone FROM leads"_s);
    QSqlQuery insertCall = db.prepare(
        u"INSERT INTO calls(seq, id, lead_seq, agent_seq, list_seq, direction, outcome, started_at, "
        "duration_seconds, updated_at, json) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    QSqlQuery insertRecording = db.prepare(
        u"INSERT INTO recordings(call_seq, id, clip_file, format, size_bytes, duration_seconds, "
        "sha256, channels, status) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    const QVariant nullValue;
    qint64 recordings = 0;
    CallRow row; // rendered into calls.json as the API will serve it
    QByteArray json;
    for (qint64 seq = 1; seq <= callCount; ++seq) {
        GeneratedCall call = generator.next(startTimes[seq - 1], nowMs);
        applyRecordingPlan(plan, seq - 1, clips, call);
        // The record settles a little after the call ends (wrap-up, recording upload).
        const qint64 endedAtMs = call.startedAtMs + call.durationSeconds * qint64(1000);
        const NamedRow &lead = leads[call.leadSeq];
        const NamedRow &agent = agents[call.agentSeq];
        const NamedRow &list = call.listSeq ? lists[call.listSeq] : NamedRow{};
        row = CallRow{seq, paddedId("call_"_L1, seq, 8), false,
                      std::min(nowMs, endedAtMs + prng.between(5'000, 300'000)),
                      lead.id, lead.name, lead.phone, call.agentSeq, agent.id, agent.name, list.id, list.name,
                      call.direction, call.outcome, call.startedAtMs, call.durationSeconds, std::nullopt};
        if (call.recording) {
            const FixtureClip &clip = clips[call.recording->clipIndex];
            row.recording = RecordingRow{paddedId("rec_"_L1, seq, 8), clip.format, clip.sizeBytes,
                                         clip.durationSeconds, call.recording->shaKnown ? clip.sha256 : QString(),
                                         clip.channels, call.recording->status, clip.file, 0};
        }
        json.clear();
        appendCallJson(json, row);

        insertCall.bindValue(0, seq);
        insertCall.bindValue(1, row.id);
        insertCall.bindValue(2, call.leadSeq);
        insertCall.bindValue(3, call.agentSeq);
        insertCall.bindValue(4, call.listSeq ? QVariant(call.listSeq) : nullValue);
        insertCall.bindValue(5, call.direction);
        insertCall.bindValue(6, call.outcome);
        insertCall.bindValue(7, call.startedAtMs);
        insertCall.bindValue(8, call.durationSeconds);
        insertCall.bindValue(9, row.updatedAtMs);
        insertCall.bindValue(10, json);
        if (!insertCall.exec()) {
            *error = u"cannot insert call: %1"_s.arg(insertCall.lastError().text());
            return false;
        }
        if (!row.recording)
            continue;
        const RecordingRow &recording = *row.recording;
        insertRecording.bindValue(0, seq);
        insertRecording.bindValue(1, recording.id);
        insertRecording.bindValue(2, recording.clipFile);
        insertRecording.bindValue(3, recording.format);
        insertRecording.bindValue(4, recording.sizeBytes);
        insertRecording.bindValue(5, recording.durationSeconds);
        insertRecording.bindValue(6, recording.sha256.isNull() ? nullValue : QVariant(recording.sha256));
        insertRecording.bindValue(7, recording.channels);
        insertRecording.bindValue(8, recording.status);
        if (!insertRecording.exec()) {
            *error = u"cannot insert recording: %1"_s.arg(insertRecording.lastError().text());
            return false;
        }
        ++recordings;
    }
    QSqlQuery clearMarker = db.prepare(u"DELETE FROM meta WHERE key = ?"_s);
    clearMarker.addBindValue(SeedingMarker);
    if (!clearMarker.exec() || !db.commit()) {
        *error = u"cannot commit the seed"_s;
        return false;
    }
    db.setBulkLoading(false);
    qCInfo(lcRefServer, "seeded %lld calls, %lld recordings, %lld leads in %.1f s", callCount,
           recordings, leadCount, double(timer.elapsed()) / 1000.0);
    return true;
}

} // namespace earshot::refserver
