#pragma once

#include "agentprocess.h"
#include "serverview.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <chrono>
#include <functional>
#include <memory>

// What the agent's integration tests share: where the agent keeps things, a signed-in
// agent, counting requests on the reference server, and running under a keyring.
namespace agenttesting {

inline const QString kEmail = QStringLiteral("supervisor@demo.test");
inline const QByteArray kPassword = QByteArrayLiteral("demo");

constexpr int kExitSignInAgain = 3;
constexpr int kExitServer = 4;
constexpr int kExitLocalStore = 5;

QString databasePath(const QString &dataDir);
QString cacheDir(const QString &dataDir);

// Every file under dir, and those whose bytes contain needle.
QStringList filesUnder(const QString &dir);
QStringList filesContaining(const QString &dir, const QByteArray &needle);

// A fresh agent for dataDir, signed in to server; null (with a warning) when login failed.
std::unique_ptr<AgentProcess> signedInAgent(ServerView &server, const QString &dataDir);

// Runs the event loop until condition() holds (true) or the time is up (false).
bool waitUntil(const std::function<bool()> &condition, std::chrono::milliseconds timeout);

qint64 requestCount(const QJsonObject &stats, const char *route);
qint64 mediaBytesServed(const QJsonObject &stats);

// Fails the test unless a Secret Service answers.
bool keychainWorks(QString *error);

// The keychain tests need a Secret Service: outside one, main() runs the test again inside
// a private D-Bus session with an unlocked GNOME Keyring (scripts/with-keyring), so that a
// plain `ctest` works the same as the project's test script.
int runUnderKeyring(int argc, char *argv[], const std::function<int(int, char **)> &runTests);

} // namespace agenttesting
