#include "server_options.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QDir>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

OptionsResult failure(const QString &message)
{
    return {std::nullopt, message};
}

// "127.0.0.1:8080", "[::1]:8080" or "localhost:8080".
bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool portOk = false;
    const uint portValue = text.mid(colon + 1).toUInt(&portOk);
    if (!portOk || portValue > 65535)
        return false;
    if (host == "localhost"_L1)
        host = u"127.0.0.1"_s;
    if (!address->setAddress(host))
        return false;
    *port = static_cast<quint16>(portValue);
    return true;
}

template <typename Number>
bool parseNumber(const QCommandLineParser &parser, const QString &name, Number min, Number max,
                 Number *out, QString *error)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const QString text = parser.value(name);
    double value = 0;
    if constexpr (std::is_floating_point_v<Number>)
        value = text.toDouble(&ok);
    else
        value = static_cast<double>(text.toLongLong(&ok));
    if (!ok || value < static_cast<double>(min) || value > static_cast<double>(max)) {
        *error = u"--%1 expects a number from %2 to %3, got \"%4\""_s.arg(name).arg(min).arg(max).arg(text);
        return false;
    }
    *out = static_cast<Number>(value);
    return true;
}

// --media-base-url and --media-secret come as a pair.
bool parseMediaLinks(const QCommandLineParser &parser, ServerOptions *options, QString *error)
{
    const bool hasUrl = parser.isSet(u"media-base-url"_s);
    const bool hasSecret = parser.isSet(u"media-secret"_s);
    if (!hasUrl && !hasSecret)
        return true;
    if (hasUrl != hasSecret) {
        *error = u"--media-base-url and --media-secret go together"_s;
        return false;
    }
    const QUrl url(parser.value(u"media-base-url"_s), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1) || url.host().isEmpty()
        || url.hasQuery() || url.hasFragment()) {
        *error = u"--media-base-url expects an http(s) URL without query, got \"%1\""_s.arg(
            parser.value(u"media-base-url"_s));
        return false;
    }
    const QString secret = parser.value(u"media-secret"_s);
    const bool printable = std::all_of(secret.cbegin(), secret.cend(),
                                       [](QChar c) { return c.unicode() > 0x20 && c.unicode() < 0x7f; });
    if (secret.isEmpty() || !printable) {
        *error = u"--media-secret expects printable ASCII without spaces"_s;
        return false;
    }
    options->mediaBaseUrl = url.adjusted(QUrl::StripTrailingSlash);
    options->mediaSecret = secret.toLatin1();
    return true;
}

} // namespace

OptionsResult parseServerOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Reference implementation of the Earshot server API (version 1), for tests, demos "
        "and benchmarks. Plain HTTP; loopback only unless --allow-remote."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {u"demo"_s, u"Seed an empty database with a demo call center (%1 calls)."_s.arg(DemoCallCount)},
        {u"calls"_s, u"Seed an empty database with N calls."_s, u"N"_s},
        {u"listen"_s, u"Address to listen on (default 127.0.0.1:8080; port 0 picks one)."_s,
         u"HOST:PORT"_s},
        {u"allow-remote"_s, u"Allow a non-loopback listen address (plain HTTP!)."_s},
        {u"data-dir"_s, u"Directory for the server's database (created if missing)."_s, u"DIR"_s},
        {u"recordings-dir"_s, u"Directory with the recording clips and manifest.tsv."_s, u"DIR"_s,
         QStringLiteral(EARSHOT_FIXTURE_RECORDINGS_DIR)},
        {u"seed"_s, u"Seed for demo data and fault injection (default 1)."_s, u"N"_s, u"1"_s},
        {u"no-recordings"_s, u"Seed calls without recordings (metadata benchmarks); needs no manifest."_s},
        {u"one-recording-per-file"_s,
         u"Give seeded call i the i-th file of manifest.tsv, available and with its sha256 "
         "(mirror benchmarks); needs --calls N with N at most the number of files."_s},
        {u"without-sha256"_s,
         u"With --one-recording-per-file: give the recordings no sha256, as servers that keep no hash do."_s},
        {u"media-base-url"_s,
         u"Hand out nginx secure_link URLs URL/FILE?md5=&expires= for the recordings instead of "
         "this server's /media URLs; needs --media-secret."_s,
         u"URL"_s},
        {u"media-secret"_s, u"The SECRET of nginx's secure_link_md5 \"$secure_link_expires$uri SECRET\"."_s,
         u"SECRET"_s},
        {u"latency-ms"_s, u"Delay every API and media response by N ms."_s, u"N"_s},
        {u"error-rate"_s, u"Answer this fraction of /api/ requests (not login) with 503."_s, u"F"_s},
        {u"drop-body-after"_s, u"Close media responses after N body bytes."_s, u"BYTES"_s},
        {u"url-lifetime"_s, u"Lifetime of signed recording URLs (default 300)."_s, u"SECONDS"_s},
        {u"token-lifetime"_s, u"Lifetime of access tokens (default 3600)."_s, u"SECONDS"_s},
        {u"enable-admin"_s, u"Enable the test-only /__admin API."_s},
    });
    parser.process(arguments); // exits on --help, --version and unknown options

    if (!parser.positionalArguments().isEmpty())
        return failure(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));

    ServerOptions options;
    QString error;
    if (parser.isSet(u"listen"_s)
        && !parseListen(parser.value(u"listen"_s), &options.listenAddress, &options.listenPort))
        return failure(u"--listen expects HOST:PORT, got \"%1\""_s.arg(parser.value(u"listen"_s)));
    options.allowRemote = parser.isSet(u"allow-remote"_s);
    if (!options.listenAddress.isLoopback() && !options.allowRemote)
        return failure(u"refusing to serve plain HTTP on %1; pass --allow-remote if you mean it"_s
                           .arg(options.listenAddress.toString()));

    if (!parser.isSet(u"data-dir"_s) || parser.value(u"data-dir"_s).isEmpty())
        return failure(u"--data-dir DIR is required"_s);
    options.dataDir = QDir(parser.value(u"data-dir"_s)).absolutePath();
    options.recordingsDir = QDir(parser.value(u"recordings-dir"_s)).absolutePath();

    options.demo = parser.isSet(u"demo"_s);
    if (options.demo)
        options.callCount = DemoCallCount;
    constexpr qint64 maxCalls = 50'000'000;
    if (!parseNumber<qint64>(parser, u"calls"_s, 0, maxCalls, &options.callCount, &error)
        || !parseNumber<quint64>(parser, u"seed"_s, 0, 1'000'000'000'000ULL, &options.seed, &error)
        || !parseNumber<int>(parser, u"latency-ms"_s, 0, 600'000, &options.latencyMs, &error)
        || !parseNumber<double>(parser, u"error-rate"_s, 0.0, 1.0, &options.errorRate, &error)
        || !parseNumber<qint64>(parser, u"drop-body-after"_s, 0, qint64(1) << 40,
                                &options.dropBodyAfter, &error)
        || !parseNumber<int>(parser, u"url-lifetime"_s, 1, 7 * 86400, &options.urlLifetimeSeconds, &error)
        || !parseNumber<int>(parser, u"token-lifetime"_s, 1, 30 * 86400, &options.tokenLifetimeSeconds,
                             &error))
        return failure(error);
    options.enableAdmin = parser.isSet(u"enable-admin"_s);

    options.noRecordings = parser.isSet(u"no-recordings"_s);
    options.oneRecordingPerFile = parser.isSet(u"one-recording-per-file"_s);
    if (options.noRecordings && options.oneRecordingPerFile)
        return failure(u"--no-recordings and --one-recording-per-file exclude each other"_s);
    options.withoutSha256 = parser.isSet(u"without-sha256"_s);
    if (options.withoutSha256 && !options.oneRecordingPerFile)
        return failure(u"--without-sha256 needs --one-recording-per-file"_s);
    if (options.oneRecordingPerFile && options.callCount == 0)
        return failure(u"--one-recording-per-file needs --calls N"_s);
    if (!parseMediaLinks(parser, &options, &error))
        return failure(error);
    return {options, {}};
}

} // namespace earshot::refserver
