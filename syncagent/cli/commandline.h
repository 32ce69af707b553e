#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <variant>

namespace earshot {

// What the user asked for on the command line:
//   earshot-sync login --server URL --email E [--data-dir DIR]
//   earshot-sync logout [--server URL] [--data-dir DIR]
//   earshot-sync [--server URL] [--data-dir DIR] [--once] [--interval S] [--page-size N]
//                [--parallel N] [--bandwidth-limit BYTES_PER_SEC] [--cache-quota BYTES] [--ca-file FILE]
//                [--metadata-only]
struct AgentCommand
{
    enum class Verb { Sync, Login, Logout };

    Verb verb = Verb::Sync;
    QString server;  // empty: the one remembered in agent.ini
    QString email;
    QString dataDir; // empty: EARSHOT_DATA_DIR, then the platform's application data folder
    bool once = false;
    std::chrono::seconds interval{60};
    int pageSize = 500;
    int parallel = 4;          // recordings downloading at once
    qint64 bandwidthLimit = 0; // bytes per second for all downloads together; 0: no limit
    qint64 cacheQuota = qint64(10) * 1024 * 1024 * 1024; // bytes of recordings kept offline, pins aside
    QString caFile;            // an extra CA to trust for https, besides the system's
    bool metadataOnly = false; // mirror call metadata, download no recordings

    // Which of the settings a data folder remembers (RememberedSettings) this command line
    // gave; the others come from agent.ini, else their defaults.
    struct Given
    {
        bool interval = false;
        bool parallel = false;
        bool bandwidthLimit = false;
        bool cacheQuota = false;
        bool caFile = false;
    } given;
};

inline constexpr qint64 kMaxIntervalSeconds = 7 * 24 * 3600;
inline constexpr qint64 kMaxBandwidthLimit = qint64(1) << 40;
inline constexpr qint64 kMaxCacheQuota = qint64(1) << 50;

// --help and --version: the text to print on standard output, then exit 0.
struct InformationRequest
{
    QString text;
};

// A usage error: the message to print on standard error, then exit 2.
struct UsageError
{
    QString message;
};

using ParsedCommandLine = std::variant<AgentCommand, InformationRequest, UsageError>;

ParsedCommandLine parseCommandLine(const QStringList &arguments);

} // namespace earshot
