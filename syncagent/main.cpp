#include "cli/commandline.h"
#include "cli/console.h"
#include "agentlogging.h"
#include "cli/exitcode.h"
#include "cli/rememberedsettings.h"
#include "cli/sessioncommands.h"
#include "cli/synccommand.h"
#include "datadirectory.h"
#include "http/curlhandles.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace earshot;

int main(int argc, char *argv[])
{
    // Before any thread exists: curl_global_init is not thread-safe.
    const http::CurlGlobalScope curl;
    QCoreApplication application(argc, argv);
    DataDirectory::applyApplicationIdentity();
    if (!curl.ok()) {
        printError(u"libcurl failed to initialise"_s);
        return toInt(ExitCode::LocalStore);
    }

    const ParsedCommandLine parsed = parseCommandLine(QCoreApplication::arguments());
    if (const auto *information = std::get_if<InformationRequest>(&parsed)) {
        std::fputs(information->text.toLocal8Bit().constData(), stdout);
        return toInt(ExitCode::Success);
    }
    if (const auto *usage = std::get_if<UsageError>(&parsed)) {
        printError(usage->message + u" (see earshot-sync --help)"_s);
        return toInt(ExitCode::Usage);
    }
    AgentCommand command = std::get<AgentCommand>(parsed);
    if (Status remembered = applyRememberedSettings(command, DataDirectory::resolve(command.dataDir)); !remembered)
        qCWarning(lcSync).noquote() << "the settings given could not be remembered for later runs:" << remembered.error();
    switch (command.verb) {
    case AgentCommand::Verb::Login: return runLogin(command);
    case AgentCommand::Verb::Logout: return runLogout(command);
    case AgentCommand::Verb::Sync: return runSync(command);
    }
    return toInt(ExitCode::Usage);
}
