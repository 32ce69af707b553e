#pragma once

#include "api/serveraddress.h"
#include "cli/commandline.h"
#include "http/curltransport.h"

#include <atomic>
#include <memory>
#include <optional>

namespace earshot {

// What every command needs before it can talk to a server.
struct AgentSetup
{
    QString dataDir;
    std::optional<ServerAddress> server; // empty when none was given or remembered
    QString serverProblem;               // why `server` is empty, when a value was given
    http::TlsTrust trust;                // the system's CAs, plus --ca-file
    QString trustProblem;                // why --ca-file cannot be used
};

// Resolves the data folder and the server: --server, else the one remembered in agent.ini.
AgentSetup resolveSetup(const AgentCommand &command);

QByteArray userAgent();
std::unique_ptr<http::CurlTransport> makeTransport(const AgentSetup &setup, const std::atomic<bool> *stopRequested);

} // namespace earshot
