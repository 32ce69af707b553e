#include "cli/commandline.h"

#include "sync/metadatasync.h"
#include "transfer/transferoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

QString description()
{
    return u"Earshot sync agent: mirrors call metadata and recordings from an Earshot server into the\n"
           "local store that the Earshot app reads, on an interval or once.\n"
           "\n"
           "Commands:\n"
           "  login     Sign in (password from standard input, or a prompt on a terminal) and keep\n"
           "            the session in the system keychain. Needs --server and --email.\n"
           "  logout    Remove the saved session from the keychain.\n"
           "  (none)    Sync: a pass every --interval seconds until SIGINT/SIGTERM, or one with --once.\n"
           "            Recordings are downloaded --parallel at a time into the encrypted cache (not\n"
           "            with --metadata-only); a download cut short resumes where it stopped, also\n"
           "            after a crash.\n"
           "            Pinned recordings come first, then the newest calls, within --cache-quota;\n"
           "            copies older than the server's retention period are deleted. Every deletion\n"
           "            is recorded in the audit trail, which is uploaded to the server each pass.\n"
           "            The server's events start a pass at once; the app controls the agent over a\n"
           "            local socket. If the server refuses the session, the loop waits for\n"
           "            `earshot-sync login` and then continues (--once exits with status 3).\n"
           "\n"
           "Exit status:\n"
           "  0   success\n"
           "  2   usage error\n"
           "  3   not signed in, sign in again, or the system keychain is unavailable\n"
           "  4   server unreachable, or the server answered with an error\n"
           "  5   local store, cache or data folder error, or the disk of the cache is full\n"
           "  128+N  a --once pass was stopped by signal N (130 for SIGINT, 143 for SIGTERM)\n"
           "\n"
           "The data folder is --data-dir, else $EARSHOT_DATA_DIR, else the platform's folder for\n"
           "application data; it must be the one the Earshot app uses. It remembers --interval,\n"
           "--parallel, --bandwidth-limit, --cache-quota and --ca-file once given (agent.ini), so\n"
           "that later runs, and the agent the app starts, use them too."_s;
}

// "0", "500000", "512K", "8M", "1G" (K, M, G are powers of 1024).
bool parseByteCount(const QCommandLineParser &parser, const QString &name, qint64 max, const QString &usage,
                    qint64 &out, QString &error)
{
    if (!parser.isSet(name))
        return true;
    QString text = parser.value(name).trimmed().toUpper();
    qint64 unit = 1;
    if (text.endsWith(u'K') || text.endsWith(u'M') || text.endsWith(u'G')) {
        unit = text.endsWith(u'K') ? 1024 : text.endsWith(u'M') ? 1024 * 1024 : 1024 * 1024 * 1024;
        text.chop(1);
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0 || value > max / unit) {
        error = usage;
        return false;
    }
    out = value * unit;
    return true;
}

template <typename T>
bool parseNumber(const QCommandLineParser &parser, const QString &name, qint64 min, qint64 max, T &out,
                 QString &error)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const qint64 value = parser.value(name).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        error = u"--%1 must be a whole number from %2 to %3"_s.arg(name).arg(min).arg(max);
        return false;
    }
    out = T(value);
    return true;
}

} // namespace

ParsedCommandLine parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(description());
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    const QCommandLineOption version({u"v"_s, u"version"_s}, u"Show the version."_s);
    parser.addOptions({
        help,
        version,
        {u"server"_s, u"The Earshot server, e.g. https://earshot.example.com (remembered at login, and by a data folder that has none yet)."_s, u"URL"_s},
        {u"email"_s, u"The email address to sign in with (login)."_s, u"EMAIL"_s},
        {u"data-dir"_s, u"The folder of the local store and the recording cache."_s, u"DIR"_s},
        {u"once"_s, u"Run one pass and exit with a status that says whether it succeeded."_s},
        {u"interval"_s, u"Seconds between passes (default 60)."_s, u"SECONDS"_s},
        {u"page-size"_s, u"Calls per metadata page, 1 to 1000 (default 500)."_s, u"N"_s},
        {u"parallel"_s, u"Recordings downloading at once, 1 to 32 (default 4)."_s, u"N"_s},
        {u"bandwidth-limit"_s,
         u"Download speed limit for all recordings together, in bytes per second; K, M and G "
         "suffixes allowed (default 0: no limit)."_s,
         u"BYTES_PER_SEC"_s},
        {u"cache-quota"_s,
         u"Bytes of recordings kept offline; K, M and G suffixes allowed (default 10G). Pinned recordings are "
         "kept even beyond it; otherwise the least recently used go first."_s,
         u"BYTES"_s},
        {u"metadata-only"_s, u"Mirror call metadata only; download no recordings (the app can still stream "
                             "them, and a later pass without this option fetches what is due)."_s},
        {u"ca-file"_s, u"A PEM file with an extra certificate authority to trust for https, besides the "
                       "system's (a company CA in front of the server or its media store)."_s,
         u"FILE"_s},
    });
    parser.addPositionalArgument(u"command"_s, u"login, logout, or nothing to sync."_s, u"[login|logout]"_s);

    if (!parser.parse(arguments))
        return UsageError{parser.errorText()};
    if (parser.isSet(help))
        return InformationRequest{parser.helpText()};
    if (parser.isSet(version))
        return InformationRequest{u"earshot-sync %1\n"_s.arg(QCoreApplication::applicationVersion())};

    AgentCommand command;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return UsageError{u"unexpected arguments: %1"_s.arg(positional.mid(1).join(u' '))};
    if (positional.size() == 1) {
        if (positional.first() == "login"_L1)
            command.verb = AgentCommand::Verb::Login;
        else if (positional.first() == "logout"_L1)
            command.verb = AgentCommand::Verb::Logout;
        else
            return UsageError{u"unknown command \"%1\" (expected login or logout)"_s.arg(positional.first())};
    }
    command.server = parser.value(u"server"_s);
    command.email = parser.value(u"email"_s).trimmed();
    command.dataDir = parser.value(u"data-dir"_s);
    command.once = parser.isSet(u"once"_s);
    command.caFile = parser.value(u"ca-file"_s);
    command.metadataOnly = parser.isSet(u"metadata-only"_s);

    QString error;
    qint64 intervalSeconds = command.interval.count();
    if (!parseNumber(parser, u"interval"_s, 1, kMaxIntervalSeconds, intervalSeconds, error)
        || !parseNumber(parser, u"page-size"_s, 1, MetadataSync::kMaxPageSize, command.pageSize, error)
        || !parseNumber(parser, u"parallel"_s, 1, TransferOptions::kMaxParallel, command.parallel, error)
        || !parseByteCount(parser, u"bandwidth-limit"_s, kMaxBandwidthLimit,
                           u"--bandwidth-limit must be bytes per second, e.g. 500000, 512K or 8M (0 for no limit)"_s,
                           command.bandwidthLimit, error)
        || !parseByteCount(parser, u"cache-quota"_s, kMaxCacheQuota,
                           u"--cache-quota must be bytes, e.g. 500M or 20G (0 keeps only pinned recordings offline)"_s,
                           command.cacheQuota, error))
        return UsageError{error};
    command.interval = std::chrono::seconds(intervalSeconds);
    command.given.interval = parser.isSet(u"interval"_s);
    command.given.parallel = parser.isSet(u"parallel"_s);
    command.given.bandwidthLimit = parser.isSet(u"bandwidth-limit"_s);
    command.given.cacheQuota = parser.isSet(u"cache-quota"_s);
    command.given.caFile = parser.isSet(u"ca-file"_s);

    const bool syncOptions = parser.isSet(u"once"_s) || parser.isSet(u"interval"_s) || parser.isSet(u"page-size"_s)
        || parser.isSet(u"parallel"_s) || parser.isSet(u"bandwidth-limit"_s) || parser.isSet(u"cache-quota"_s)
        || command.metadataOnly;
    switch (command.verb) {
    case AgentCommand::Verb::Login:
        if (command.server.isEmpty() || command.email.isEmpty())
            return UsageError{u"login needs --server URL and --email EMAIL"_s};
        if (syncOptions)
            return UsageError{u"--once, --interval, --page-size, --parallel, --bandwidth-limit, --cache-quota and "
                              "--metadata-only belong to sync, not to login"_s};
        break;
    case AgentCommand::Verb::Logout:
        if (syncOptions || parser.isSet(u"email"_s))
            return UsageError{u"logout takes only --server, --data-dir and --ca-file"_s};
        break;
    case AgentCommand::Verb::Sync:
        if (parser.isSet(u"email"_s))
            return UsageError{u"--email belongs to login"_s};
        if (command.once && parser.isSet(u"interval"_s))
            return UsageError{u"--once and --interval exclude each other"_s};
        break;
    }
    return command;
}

} // namespace earshot
