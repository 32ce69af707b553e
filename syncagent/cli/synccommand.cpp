#include "cli/synccommand.h"

#include "agentlogging.h"
#include "api/serverapi.h"
#include "audit/audituploader.h"
#include "auth/agentsettings.h"
#include "auth/sessionvault.h"
#include "cache/cacheupkeep.h"
#include "cache/damagedcopycheck.h"
#include "cache/cachekey.h"
#include "cli/agentsetup.h"
#include "cli/console.h"
#include "cli/exitcode.h"
#include "cli/terminationsignals.h"
#include "control/agentcontrol.h"
#include "control/serverevents.h"
#include "control/sessionwatch.h"
#include "datadirectory.h"
#include "ipc/agentinstancelock.h"
#include "ipc/ipcprotocol.h"
#include "secrets/keychainsecretstore.h"
#include "store/database.h"
#include "sync/metadatarunner.h"
#include "sync/syncloop.h"
#include "sync/syncpass.h"
#include "transfer/diskspace.h"
#include "transfer/linkprefetcher.h"
#include "transfer/recordinglinks.h"
#include "transfer/transferengine.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// Room enough for a batch of call pages and the indexes of a first fill's end to go in.
constexpr qint64 kFreeBytesToRetryAfterFullDisk = 16 * 1024 * 1024;

} // namespace

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

    // One agent per data folder: two would download the same recordings, and the
    // start-up clean-up of the cache assumes no other download is under way.
    auto lock = AgentInstanceLock::acquire(setup.dataDir);
    if (!lock) {
        printError(lock.error());
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
    // Signed in to this server: a folder that remembers none remembers it, so that the app
    // can restart this agent without --server.
    if (AgentSettings settings(setup.dataDir); settings.serverUrl().isEmpty()) {
        if (Status remembered = settings.setServerUrl(server.baseUrl().toString()); !remembered)
            qCWarning(lcAuth).noquote() << "cannot remember the server in the data folder:" << remembered.error();
    }

    TerminationSignals signals;
    const std::atomic<bool> *stopRequested = &signals.flag();
    // Rotated sessions are saved on the agent's thread, whichever client refreshed: the
    // keychain answers through this thread's event loop.
    QObject keychainContext;
    auto saveRotated = [&vault, &server, &keychainContext](const Session &rotated) {
        QMetaObject::invokeMethod(&keychainContext, [&vault, &server, rotated] {
            if (Status saved = vault.save(server, rotated); !saved)
                qCWarning(lcAuth).noquote() << "the refreshed session works for this run but could not be saved:"
                                            << saved.error();
        }, Qt::QueuedConnection);
        return Status::ok();
    };
    auto transport = makeTransport(setup, stopRequested);
    ServerApi api(*transport, server, RetryPolicy(), stopRequested);
    api.useSession(**session, saveRotated);

    const CacheFolder cache(DataDirectory::cacheDirectory(setup.dataDir));
    // The agent removes copies on behalf of the signed-in user, and audits them as theirs.
    CacheUpkeep upkeep((*store)->connection(), cache, (**session).user.id, command.cacheQuota);

    // Recordings are stored encrypted under a key that lives only in the keychain. A key
    // the keychain no longer has leaves every copy unreadable: they go (audited), and a
    // new key seals what is fetched again.
    const auto keyLost = CacheKey::isLost((*store)->connection(), secrets);
    if (!keyLost) {
        printError(u"Cannot get the key of the recording cache: %1"_s.arg(keyLost.error()));
        return toInt(ExitCode::SignInAgain);
    }
    if (*keyLost) {
        qCWarning(lcCache) << "the key of the recording cache is gone from the system keychain; the cached "
                              "recordings cannot be read, so they are deleted and downloaded again under a new key";
        const auto discarded = upkeep.discardCopiesOfALostKey();
        const Status forgotten = discarded ? CacheKey::forget((*store)->connection()) : Status::failure(discarded.error());
        if (!forgotten) {
            printError(u"Cannot replace the lost key of the recording cache: %1"_s.arg(forgotten.error()));
            return toInt(ExitCode::LocalStore);
        }
        qCInfo(lcCache) << *discarded << "cached recordings deleted with their lost key";
    }
    auto cacheKey = CacheKey::loadOrCreate((*store)->connection(), secrets);
    if (!cacheKey) {
        printError(u"Cannot get the key of the recording cache: %1"_s.arg(cacheKey.error()));
        return toInt(ExitCode::SignInAgain);
    }
    AuditUploader auditUploader(api, (*store)->connection());
    TransferOptions transferOptions;
    transferOptions.parallel = command.parallel;
    transferOptions.bandwidthLimit = command.bandwidthLimit;
    transferOptions.media.connection.userAgent = userAgent();
    transferOptions.media.connection.trust = setup.trust;
    transferOptions.media.stopRequested = stopRequested;
    transferOptions.admitDue = [&upkeep](QList<TransferCandidate> due, const TransferLedger &ledger) {
        return upkeep.policy().admit(std::move(due), ledger);
    };
    ServerApiLinks links(api);
    // The next recordings' links are fetched on a thread of their own while others download.
    LinkPrefetcher prefetchingLinks(links, [&setup, &server, &api](const std::atomic<bool> *stop) {
        return std::make_unique<OwnClientLinks>(makeTransport(setup, stop), server, api.sharedSession(), stop);
    });
    TransferEngine transfers(transferOptions, *cacheKey, cache.path(), (*store)->connection(), prefetchingLinks);
    if (Status started = transfers.start(); !started) {
        printError(started.error());
        return toInt(ExitCode::LocalStore);
    }
    auto workerTransport = [&setup](const std::atomic<bool> *stop) { return makeTransport(setup, stop); };
    MetadataRunner metadata({(*store)->path(), cache.path(), server, api.sharedSession(), command.pageSize,
                             stopRequested, workerTransport, crashTestHookFromEnvironment(), (**session).user.id});
    SyncPass pass(metadata, api, transfers, **store, cache, upkeep, auditUploader);
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
    // A full disk met while saving calls or the audit trail: a pass once there is room.
    DiskSpaceWatch dataDiskSpace(setup.dataDir);
    QObject::connect(&loop, &SyncLoop::waitingForDiskSpace, &dataDiskSpace,
                     [&dataDiskSpace] { dataDiskSpace.waitFor(kFreeBytesToRetryAfterFullDisk + DiskReserve::kBytes); });
    QObject::connect(&dataDiskSpace, &DiskSpaceWatch::spaceAvailable, &loop, &SyncLoop::requestPass);
    QObject::connect(&loop, &SyncLoop::finished, QCoreApplication::instance(), &QCoreApplication::quit,
                     Qt::QueuedConnection);

    // Hints from the server only matter to a loop that runs more than one pass.
    std::unique_ptr<ServerEvents> events;
    if (!command.once)
        events = std::make_unique<ServerEvents>(server, api.sharedSession(), workerTransport);
    SessionWatch sessions(vault, server, api.sharedSession());
    bool shutdownRequested = false;
    DamagedCopyCheck damage((*store)->connection(), cache, *cacheKey, upkeep, transfers);
    AgentControl control({loop, transfers, upkeep.policy(), (*store)->connection(), sessions, events.get(), server.origin(),
                          [&shutdownRequested, &signals] {
                              shutdownRequested = true;
                              signals.requestStop();
                          },
                          // Kept for the next run, as --bandwidth-limit would be.
                          [dataDir = setup.dataDir](qint64 limit) {
                              if (Status saved = AgentSettings(dataDir).setSyncValues({{u"bandwidth_limit"_s, limit}});
                                  !saved)
                                  qCWarning(lcTransfer).noquote() << "the bandwidth limit applies to this run only:"
                                                                  << saved.error();
                          },
                          &damage});
    if (Status listening = control.listen(ipc::socketPathFor(setup.dataDir)); !listening) {
        printError(listening.error());
        return toInt(ExitCode::LocalStore);
    }
    if (events)
        events->start();
    loop.start();
    QCoreApplication::exec();
    events.reset();
    // Sessions rotated at the very end still reach the keychain.
    QCoreApplication::sendPostedEvents(&keychainContext);

    if (shutdownRequested && !loop.failure())
        return toInt(ExitCode::Success);
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
