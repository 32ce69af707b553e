// The secret store against a real Secret Service (scripts/with-keyring provides one),
// and the "no keychain" state: a clear error and no secret written anywhere else.
#include "secrets/keychainsecretstore.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace earshot;

namespace {
constexpr auto kChildModeVariable = "EARSHOT_KEYCHAIN_TEST_CHILD";
}

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QFAIL("no D-Bus session: run this test through scripts/with-keyring (scripts/test does)");
    }

    void writeReadRemoveRoundTrip()
    {
        KeychainSecretStore store(u"Earshot test"_s);
        const QString key = u"roundtrip-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QByteArray secret("\x00\x01 binary secret \xff"_ba);
        const Status written = store.write(key, secret);
        QVERIFY2(written, qPrintable(written.error()));
        const auto read = store.read(key);
        QVERIFY2(read, qPrintable(read.error()));
        QVERIFY(read->has_value());
        QCOMPARE(**read, secret);

        QVERIFY(store.write(key, "rotated"_ba));
        QCOMPARE(**store.read(key), "rotated"_ba);

        QVERIFY(store.remove(key));
        const auto gone = store.read(key);
        QVERIFY2(gone, qPrintable(gone.error()));
        QVERIFY(!gone->has_value());
        QVERIFY(store.remove(key)); // removing twice is fine
    }

    void servicesDoNotSeeEachOthersEntries()
    {
        KeychainSecretStore first(u"Earshot test A"_s);
        KeychainSecretStore second(u"Earshot test B"_s);
        QVERIFY(first.write(u"shared-key"_s, "a"_ba));
        QVERIFY(!second.read(u"shared-key"_s)->has_value());
        QVERIFY(first.remove(u"shared-key"_s));
    }

    void withoutAKeychainItFailsClearlyAndWritesNothing()
    {
        QTemporaryDir home;
        QProcess child;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QString::fromLatin1(kChildModeVariable), u"1"_s);
        environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/bus"_s);
        environment.remove(u"DISPLAY"_s);
        environment.insert(u"HOME"_s, home.path());
        environment.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
        environment.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
        child.setProcessEnvironment(environment);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(60000));
        const QString output = QString::fromUtf8(child.readAllStandardOutput());
        QCOMPARE(child.exitCode(), 0);
        QVERIFY2(output.contains(u"WRITE-FAILED:"_s), qPrintable(output));
        QVERIFY2(output.contains(u"keychain"_s, Qt::CaseInsensitive), qPrintable(output));
        QDirIterator files(home.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains("plaintext-must-not-land"), qPrintable(file.fileName()));
        }
    }
};

// In child mode the process has no session bus: it tries to store a secret and prints
// what happened for the parent to check.
int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet(kChildModeVariable)) {
        QCoreApplication app(argc, argv);
        KeychainSecretStore store(u"Earshot test"_s, std::chrono::seconds(20));
        const Status status = store.write(u"no-keychain"_s, "plaintext-must-not-land"_ba);
        const QByteArray line = status ? "WRITE-SUCCEEDED\n"_ba : "WRITE-FAILED: "_ba + status.error().toUtf8() + '\n';
        fwrite(line.constData(), 1, size_t(line.size()), stdout);
        return 0;
    }
    QCoreApplication app(argc, argv);
    TestKeychain test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychain.moc"
