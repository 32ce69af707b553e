// The local audit trail: canonical JSON exactly as documented for server teams, a hash
// chain that exposes edits and gaps, events that commit with the action they record,
// and a server that recomputes the hashes and accepts them.
#include "audit/auditlog.h"
#include "audit/canonicaljson.h"
#include "store/database.h"
#include "testsupport/temporary_store.h"
#include "store/writetransaction.h"
#include "testsupport/ref_server.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace earshot;

namespace {

// The worked example of docs/server-api.md, "The hash".
AuditEvent documentedExample()
{
    AuditEvent event;
    event.eventId = u"3f1c2a9e-8d4b-4e0f-9a51-2b7c6d8e9f01"_s;
    event.draft = {u"recording.exported"_s, u"usr_compliance"_s, u"call_00000042"_s, u"rec_00000042"_s,
                   u"Dispute #4471 – customer requested a copy\n(“urgent”)"_s,
                   u"0a02dc2e065a2c9f43796e0773a8922fc082fd1765620e032458fbcaaeedc26f"_s,
                   u"/home/marguerite/Exports/call_00000042.wav"_s};
    event.occurredAt = u"2026-03-14T10:22:31.250Z"_s;
    event.client = {u"WS-0042"_s, u"Debian GNU/Linux 12"_s, u"0.1.0"_s};
    event.prevHash = QString::fromLatin1(kGenesisHash);
    return event;
}

AuditEventDraft played(const QString &recordingId)
{
    return {u"recording.played"_s, u"usr_supervisor"_s, u"call-1"_s, recordingId};
}

} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_store.emplace();
        QVERIFY2(m_store->isOpen(), qPrintable(m_store->error()));
    }
    void cleanup() { m_store.reset(); }

    void canonicalFormMatchesTheDocumentedExample()
    {
        const AuditEvent event = documentedExample();
        const QByteArray expected =
            R"json({"call_id":"call_00000042","client":{"app_version":"0.1.0","host":"WS-0042","os":"Debian GNU/Linux 12"},"destination":"/home/marguerite/Exports/call_00000042.wav","event_id":"3f1c2a9e-8d4b-4e0f-9a51-2b7c6d8e9f01","occurred_at":"2026-03-14T10:22:31.250Z","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","reason":"Dispute #4471 – customer requested a copy\n(“urgent”)","recording_id":"rec_00000042","sha256":"0a02dc2e065a2c9f43796e0773a8922fc082fd1765620e032458fbcaaeedc26f","type":"recording.exported","user_id":"usr_compliance"})json"_ba;
        QCOMPARE(canonicalJson(event.toJson(false)), expected);
        QCOMPARE(event.computeHash(), u"5715f630cc507052f74ae5e0bbf367ebff21e1509105ed5e8bc2caf6ab213098"_s);
    }

    void canonicalEscapes()
    {
        const QJsonObject object{{"z"_L1, u"a\"b\\c/d\u0001\u001f\té"_s}, {"a"_L1, QJsonArray{1, true, QJsonValue()}}};
        QCOMPARE(canonicalJson(object), "{\"a\":[1,true,null],\"z\":\"a\\\"b\\\\c/d\\u0001\\u001f\\t\xc3\xa9\"}"_ba);
    }

    void eventsChainAndTheChainExposesTampering()
    {
        AuditLog log(db());
        QStringList hashes;
        for (int i = 0; i < 4; ++i) {
            const auto event = log.append(played(u"rec-%1"_s.arg(i)));
            QVERIFY2(event, qPrintable(event.error()));
            QCOMPARE(event->prevHash, hashes.isEmpty() ? QString::fromLatin1(kGenesisHash) : hashes.last());
            QCOMPARE(event->hash, event->computeHash());
            hashes << event->hash;
        }
        QVERIFY(log.verifyChain().isEmpty());
        QCOMPARE(log.pendingCount(), 4);

        QSqlQuery edit(db());
        QVERIFY(edit.exec(u"UPDATE audit_events SET recording_id = 'rec-other' WHERE seq = 2"_s));
        QStringList problems = log.verifyChain();
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().contains(u"altered"_s), qPrintable(problems.first()));

        QVERIFY(edit.exec(u"UPDATE audit_events SET recording_id = 'rec-1' WHERE seq = 2"_s));
        QVERIFY(edit.exec(u"DELETE FROM audit_events WHERE seq = 3"_s));
        problems = log.verifyChain();
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().contains(u"does not follow"_s), qPrintable(problems.first()));
    }

    void anEventCommitsOrRollsBackWithItsAction()
    {
        AuditLog log(db());
        {
            WriteTransaction transaction(db());
            QVERIFY(log.appendWithin(transaction, played(u"rec-rolled-back"_s)));
            // the action fails here: neither it nor its record stays
        }
        QCOMPARE(log.pendingCount(), 0);
        {
            WriteTransaction transaction(db());
            QVERIFY(log.appendWithin(transaction, played(u"rec-kept"_s)));
            QVERIFY(transaction.commit());
        }
        QCOMPARE(log.pendingCount(), 1);
        QVERIFY(log.verifyChain().isEmpty());
    }

    void invalidDraftsAreRefused_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("recording");
        QTest::newRow("unknown type") << u"recording.whispered"_s << u"u1"_s << u"r1"_s;
        QTest::newRow("no user") << u"recording.played"_s << QString() << u"r1"_s;
        QTest::newRow("no recording") << u"recording.exported"_s << u"u1"_s << QString();
    }

    void invalidDraftsAreRefused()
    {
        QFETCH(QString, type);
        QFETCH(QString, user);
        QFETCH(QString, recording);
        AuditLog log(db());
        QVERIFY(!log.append({type, user, QString(), recording}));
        QCOMPARE(log.pendingCount(), 0);
    }

    void twoWritersKeepOneChain()
    {
        auto other = Database::open(m_store->path());
        QVERIFY(other);
        AuditLog first(db()), second((*other)->connection());
        for (int i = 0; i < 10; ++i)
            QVERIFY((i % 2 ? first : second).append(played(u"rec-%1"_s.arg(i))));
        QVERIFY(first.verifyChain().isEmpty());
    }

    void theServerRecomputesAndAcceptsOurEvents()
    {
        testsupport::RefServer server({u"--demo"_s});
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const testsupport::Tokens tokens = server.login(u"compliance@demo.test"_s);
        QVERIFY(tokens.isValid());
        const QString userId = tokens.user.value("id"_L1).toString();

        AuditLog log(db());
        AuditEventDraft exported{u"recording.exported"_s, userId, QString(), u"rec-unknown-to-this-test"_s,
                                 u"Dispute #4471 – “urgent”\ncopy"_s, QString(64, u'a'), u"/tmp/x.wav"_s};
        QVERIFY(log.append(exported));
        QVERIFY(log.append({u"session.login"_s, userId}));
        const auto pending = log.pendingUpload(100);
        QVERIFY(pending && pending->size() == 2);
        QJsonArray batch;
        for (const AuditEvent &event : *pending)
            batch.append(event.toJson());
        const auto result = server.api("POST", u"/api/audit/events"_s, tokens.accessToken, QJsonDocument(batch));
        QCOMPARE(result.status, 200);
        const QJsonObject answer = QJsonDocument::fromJson(result.body).object();
        QVERIFY2(answer.value("rejected"_L1).toArray().isEmpty(), result.body.constData());
        QCOMPARE(answer.value("accepted"_L1).toArray().size(), 2);

        QStringList accepted;
        for (const QJsonValue &id : answer.value("accepted"_L1).toArray())
            accepted << id.toString();
        QVERIFY(log.markUploaded(accepted, u"2026-11-21T06:00:00Z"_s));
        QCOMPARE(log.pendingCount(), 0);
    }

private:
    QSqlDatabase db() const { return m_store->db(); }

    std::optional<testsupport::TemporaryStore> m_store;
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
