#include "cli/synccommand.h"

#include "agentlogging.h"
#include "api/serverapi.h"
#include "auth/sessionvault.h"
#include "cache/cachekey.h"
#include "cli/agentsetup.h"
#include "cli/console.h"
#include "cli/exitcode.h"
#include "cli/terminationsignals.h"
#include "datadirectory.h"
#include "secrets/keychainsecretstore.h"
#include "store/database.h"
#include "sync/syncloop.h"
#include "sync/syncpass.h"
#include "transfer/recordinglinks.h"
#include "transfer/transferengine.h"

#include <QCoreApplication>
#include <QDir>
#include <QLockFile>

using namespace Qt::StringLiterals;

namespace earshot {

int runSync(const AgentCommand &command)
{
    const AgentSetup setup = resolveSetup(command);
    if (!setup.trustProblem.isEmpty()) {
        printError(setup.trustProblem);
        return toInt(ExitCode::Usage);
    }
    if (!setup.server) {
        if (!setup.serverProblem.isEmpty()) {
            printError(setup.serverProblem);
            return toInt(ExitCode::Usage);
        }
        printError(u"Not signed in: no server given and none remembered in %1. "
                   "Sign in first: earshot-sync login --server URL --email YOUR_EMAIL"_s.arg(setup.dataDir));
        return toInt(ExitCode::SignInAgain);
    }
    const ServerAddress &server = *setup.server;

    if (!QDir().mkpath(setup.dataDir)) {
        printError(u"Cannot create the data folder %1."_s.arg(setup.dataDir));
        return toInt(ExitCode::LocalStore);
    }
    // One agent per data folder: two would download the same recordings, and the
    // start-up clean-up of the cache assumes no other download is under way.
    QLockFile lock(QDir(setup.dataDir).filePath(u"earshot-sync.lock"_s));
    lock.setStaleLockTime(0); // stale only when its process is gone, however old
    if (!lock.tryLock(0)) {
        qint64 pid = 0;
        QString host, application;
        lock.getLockInfo(&pid, &host, &application);
        printError(u"Another earshot-sync (process %1) is already syncing into %2."_s.arg(pid).arg(setup.dataDir));
        return toInt(ExitCode::LocalStore);
    }

    auto store = Database::open(DataDirectory::databasePath(setup.dataDir));
    if (!store) {
        printError(store.error());
        return toInt(ExitCode::LocalStore);
    }

    KeychainSecretStore secrets;
    SessionVault vault(secrets);
    auto session = vault.load(server);
    if (!session) {
        printError(u"Cannot read the saved sign-in: %1"_s.arg(session.error()));
        return toInt(ExitCode::SignInAgain);
    }
    if (!session->has_value()) {
        printError(u"Not signed in to %1. Sign in first: earshot-sync login --server %1 --email YOUR_EMAIL"_s.arg(
            server.origin()));
        return toInt(ExitCode::SignInAgain);
    }

    // Recordings are stored encrypted under a key that lives only in the keychain.
    auto cacheKey = CacheKey::loadOrCreate((*store)->connection(), secrets);
    if (!cacheKey) {
        printError(u"Cannot get the key of the recording cache: %1"_s.arg(cacheKey.error()));
        return toInt(ExitCode::SignInAgain);
    }

    TerminationSignals signals;
    const std::atomic<bool> *stopRequested = &signals.flag();
    auto transport = makeTransport(setup, stopRequested);
    ServerApi api(*transport, server, RetryPolicy(), stopRequested);
    api.useSession(**session, [&vault, &server](const Session &rotated) { return vault.save(server, rotated); });

    const CacheFolder cache(DataDirectory::cacheDirectory(setup.dataDir));
    TransferOptions transferOptions;
    transferOptions.parallel = command.parallel;
    transferOptions.bandwidthLimit = command.bandwidthLimit;
    transferOptions.media.connection.userAgent = userAgent();
    transferOptions.media.connection.trust = setup.trust;
    transferOptions.media.stopRequested = stopRequested;
    ServerApiLinks links(api);
    TransferEngine transfers(transferOptions, *cacheKey, cache.path(), (*store)->connection(), links);
    if (Status started = transfers.start(); !started) {
        printError(started.error());
        return toInt(ExitCode::LocalStore);
    }
    SyncPass pass(api, transfers, **store, cache, command.pageSize, stopRequested);
    pass.setBeforeCommitHook(crashTestHookFromEnvironment());
    pass.setDownloadRecordings(!command.metadataOnly);
    if (Status cleaned = pass.cleanUpCache(); !cleaned) {
        printError(cleaned.error());
        return toInt(ExitCode::LocalStore);
    }

    qCInfo(lcSync).noquote() << "syncing" << server.origin() << "into" << setup.dataDir
                             << (command.once ? u"once"_s : u"every %1 s"_s.arg(command.interval.count()));
    SyncLoop loop(pass, command.once ? SyncLoop::Mode::Once : SyncLoop::Mode::Repeat, command.interval);
    QObject::connect(&signals, &TerminationSignals::received, &loop, &SyncLoop::stop);
    QObject::connect(&transfers, &TransferEngine::diskSpaceReturned, &loop, &SyncLoop::requestPass);
    QObject::connect(&loop, &SyncLoop::finished, QCoreApplication::instance(), &QCoreApplication::quit,
                     Qt::QueuedConnection);
    loop.start();
    QCoreApplication::exec();

    if (const auto &failure = loop.failure()) {
        printError(failure->message);
        return toInt(exitCodeFor(*failure));
    }
    if (command.once && loop.wasStopped()) {
        printError(u"Stopped by signal %1 before the pass finished."_s.arg(signals.receivedSignal()));
        return kStoppedBySignalBase + signals.receivedSignal();
    }
    return toInt(ExitCode::Success);
}

} // namespace earshot
