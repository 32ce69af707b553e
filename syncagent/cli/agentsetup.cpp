#include "cli/agentsetup.h"

#include "auth/agentsettings.h"
#include "datadirectory.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace earshot {

AgentSetup resolveSetup(const AgentCommand &command)
{
    AgentSetup setup;
    setup.dataDir = DataDirectory::resolve(command.dataDir);
    const QString serverText = command.server.isEmpty() ? AgentSettings(setup.dataDir).serverUrl() : command.server;
    if (serverText.isEmpty())
        return setup;
    auto server = ServerAddress::parse(serverText);
    if (server)
        setup.server = std::move(server).value();
    else
        setup.serverProblem = server.error();
    return setup;
}

std::unique_ptr<http::CurlTransport> makeTransport(const std::atomic<bool> *stopRequested)
{
    http::CurlTransportOptions options;
    options.userAgent = "earshot-sync/"_ba + QCoreApplication::applicationVersion().toUtf8();
    options.stopRequested = stopRequested;
    return std::make_unique<http::CurlTransport>(std::move(options));
}

} // namespace earshot
