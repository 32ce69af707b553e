// Command-line options of earshot-refserver. Tests, scripts and benchmarks depend on the
// exact spelling, so every option lives here, in one place.
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>
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
