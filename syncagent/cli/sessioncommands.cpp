#include "cli/sessioncommands.h"

#include "agentlogging.h"
#include "api/serverapi.h"
#include "auth/agentsettings.h"
#include "auth/sessionvault.h"
#include "cli/agentsetup.h"
#include "cli/console.h"
#include "cli/exitcode.h"
#include "cli/passwordinput.h"
#include "secrets/keychainsecretstore.h"

using namespace Qt::StringLiterals;

namespace earshot {

int runLogin(const AgentCommand &command)
{
    const AgentSetup setup = resolveSetup(command);
    if (!setup.server || !setup.trustProblem.isEmpty()) {
        printError(setup.trustProblem.isEmpty() ? setup.serverProblem : setup.trustProblem);
        return toInt(ExitCode::Usage);
    }
    const ServerAddress &server = *setup.server;

    // Ask the keychain before the server: without one there is nowhere to keep the
    // session, and the password should not travel for nothing.
    KeychainSecretStore secrets;
    SessionVault vault(secrets);
    if (auto probe = vault.load(server); !probe) {
        printError(u"Cannot sign in: %1"_s.arg(probe.error()));
        return toInt(ExitCode::SignInAgain);
    }

    auto password = readPassword(u"Password for %1 at %2: "_s.arg(command.email, server.origin()));
    if (!password) {
        printError(password.error());
        return toInt(ExitCode::Usage);
    }

    auto transport = makeTransport(setup, nullptr);
    ServerApi api(*transport, server, RetryPolicy(), nullptr);
    auto session = api.login(command.email, *password);
    if (!session) {
        printError(session.error().message);
        return toInt(exitCodeFor(session.error()));
    }
    if (Status saved = vault.save(server, *session); !saved) {
        printError(u"Signed in, but the session cannot be kept: %1"_s.arg(saved.error()));
        return toInt(ExitCode::SignInAgain);
    }
    qCInfo(lcAuth) << "session saved in the keychain under" << SessionVault::keyFor(server);

    AgentSettings settings(setup.dataDir);
    if (Status remembered = settings.setServerUrl(server.baseUrl().toString()); !remembered)
        printError(u"Signed in, but the server could not be remembered (%1); pass --server to later runs."_s.arg(
            remembered.error()));

    const User &user = session->user;
    printMessage(u"Signed in to %1 as %2 <%3> (%4)."_s.arg(server.origin(), user.name, user.email, user.role));
    return toInt(ExitCode::Success);
}

int runLogout(const AgentCommand &command)
{
    const AgentSetup setup = resolveSetup(command);
    if (!setup.server) {
        printError(setup.serverProblem.isEmpty()
                       ? u"No server given and none remembered in %1; pass --server URL."_s.arg(
                             AgentSettings(setup.dataDir).filePath())
                       : setup.serverProblem);
        return toInt(ExitCode::Usage);
    }
    KeychainSecretStore secrets;
    SessionVault vault(secrets);
    if (Status removed = vault.forget(*setup.server); !removed) {
        printError(u"Cannot sign out: %1"_s.arg(removed.error()));
        return toInt(ExitCode::SignInAgain);
    }
    printMessage(u"Signed out of %1; the saved session was removed from the keychain."_s.arg(setup.server->origin()));
    return toInt(ExitCode::Success);
}

} // namespace earshot
