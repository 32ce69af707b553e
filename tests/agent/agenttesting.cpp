#include "agenttesting.h"

#include "secrets/keychainsecretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <unistd.h>

#include <vector>

using namespace Qt::StringLiterals;

namespace agenttesting {

QString databasePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"earshot.sqlite"_s);
}

QString cacheDir(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"cache"_s);
}

QStringList filesUnder(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    return files;
}

QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList hits;
    const QStringList files = filesUnder(dir);
    for (const QString &path : files) {
        QFile file(path);
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            hits.append(path);
    }
    return hits;
}

std::unique_ptr<AgentProcess> signedInAgent(ServerView &server, const QString &dataDir)
{
    auto agent = std::make_unique<AgentProcess>(dataDir);
    const AgentRun login = agent->login(server.url(), kEmail, kPassword);
    if (login.exitCode != 0 || login.exitStatus != QProcess::NormalExit) {
        qWarning().noquote() << "login failed:" << login.describe();
        return nullptr;
    }
    return agent;
}

bool waitUntil(const std::function<bool()> &condition, std::chrono::milliseconds timeout)
{
    QElapsedTimer waited;
    waited.start();
    while (!condition()) {
        if (waited.elapsed() > timeout.count())
            return false;
        QTest::qWait(50);
    }
    return true;
}

qint64 requestCount(const QJsonObject &stats, const char *route)
{
    return stats.value("requests"_L1).toObject().value(QLatin1StringView(route)).toInteger();
}

qint64 mediaBytesServed(const QJsonObject &stats)
{
    return stats.value("media_bytes_served"_L1).toInteger();
}

bool keychainWorks(QString *error)
{
    // A key of this process's own: tests running in parallel probe at the same moment.
    const QString key = u"tst_agent-probe-%1"_s.arg(QCoreApplication::applicationPid());
    earshot::KeychainSecretStore keychain;
    const auto probe = keychain.write(key, "probe"_ba);
    if (!probe) {
        *error = u"these tests need a working Secret Service (run them through scripts/with-keyring): "_s
            + probe.error();
        return false;
    }
    const auto removed = keychain.remove(key);
    if (!removed)
        *error = u"the Secret Service stored a probe but could not remove it: "_s + removed.error();
    return bool(removed);
}

int runUnderKeyring(int argc, char *argv[], const std::function<int(int, char **)> &runTests)
{
    if (qEnvironmentVariable("EARSHOT_IN_KEYRING_SESSION") != "1"_L1) {
        const QByteArray withKeyring = EARSHOT_TEST_SOURCE_DIR "/../../scripts/with-keyring";
        std::vector<char *> arguments{const_cast<char *>(withKeyring.constData())};
        for (int i = 0; i < argc; ++i)
            arguments.push_back(argv[i]);
        arguments.push_back(nullptr);
        ::execv(withKeyring.constData(), arguments.data());
        qWarning("cannot run %s; running without a keychain", withKeyring.constData());
    }
    return runTests(argc, argv);
}

} // namespace agenttesting
