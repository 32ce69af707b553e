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
    if (!command.caFile.isEmpty()) {
        auto trust = http::TlsTrust::withExtraCaFile(command.caFile);
        if (trust)
            setup.trust = std::move(trust).value();
        else
            setup.trustProblem = u"--ca-file: "_s + trust.error();
    }
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

QByteArray userAgent()
{
    return "earshot-sync/"_ba + QCoreApplication::applicationVersion().toUtf8();
}

std::unique_ptr<http::CurlTransport> makeTransport(const AgentSetup &setup, const std::atomic<bool> *stopRequested)
{
    http::CurlTransportOptions options;
    options.connection.userAgent = userAgent();
    options.stopRequested = stopRequested;
    options.connection.trust = setup.trust;
    return std::make_unique<http::CurlTransport>(std::move(options));
}

} // namespace earshot
