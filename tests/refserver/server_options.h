// Command-line options of earshot-refserver. Tests, scripts and benchmarks depend on the
// exact spelling, so every option lives here, in one place.
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>

#include <optional>

namespace earshot::refserver {

struct ServerOptions
{
    QHostAddress listenAddress{QHostAddress::LocalHost};
    quint16 listenPort = 8080; // 0 picks a free port
    bool allowRemote = false;

    QString dataDir;
    QString recordingsDir;

    bool demo = false;
    qint64 callCount = 0; // calls to seed into an empty database
    quint64 seed = 1;
    // How seeded calls get recordings: the demo's mix, none (metadata benchmarks), or
    // every call its own manifest file, available with its sha256 (mirror benchmarks).
    bool noRecordings = false;
    bool oneRecordingPerFile = false;
    bool withoutSha256 = false; // with oneRecordingPerFile

    // When set, recording URLs are nginx secure_link URLs under this base instead of the
    // server's own /media URLs (see secure_link_signer.h).
    QUrl mediaBaseUrl;
    QByteArray mediaSecret;

    int latencyMs = 0;
    double errorRate = 0.0;
    qint64 dropBodyAfter = -1; // negative: never drop
    int urlLifetimeSeconds = 300;
    int tokenLifetimeSeconds = 3600;

    bool enableAdmin = false;
};

// The demo size when --demo is given without --calls.
inline constexpr qint64 DemoCallCount = 5000;

struct OptionsResult
{
    std::optional<ServerOptions> options;
    QString error; // set when options is empty
};

// Parses QCoreApplication::arguments(). --help and --version print and exit here.
OptionsResult parseServerOptions(const QStringList &arguments);

} // namespace earshot::refserver
