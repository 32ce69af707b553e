// earshot-refserver: the reference implementation of the Earshot server API, version 1.
// See docs/server-api.md. Prints "earshot-refserver listening on http://HOST:PORT" on
// stdout once it accepts connections; tests wait for that line.
#include "logging.h"
#include "server_app.h"
#include "server_options.h"
#include "unix_signals.h"

#include <QtCore/QCoreApplication>

#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace earshot::refserver;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"earshot-refserver"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(EARSHOT_VERSION));

    const OptionsResult parsed = parseServerOptions(QCoreApplication::arguments());
    if (!parsed.options) {
        std::fprintf(stderr, "earshot-refserver: %s\n", qUtf8Printable(parsed.error));
        return 2;
    }
    // A client vanishing mid-write must not kill the server.
    std::signal(SIGPIPE, SIG_IGN);

    UnixSignalWatcher signals;
    QObject::connect(&signals, &UnixSignalWatcher::terminationRequested, &app, []() {
        qCInfo(lcRefServer) << "terminating";
        QCoreApplication::quit();
    });

    ServerApp server(*parsed.options);
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "earshot-refserver: %s\n", qUtf8Printable(error));
        return 1;
    }
    const QByteArray ready = "earshot-refserver listening on " + server.baseUrl().toString().toUtf8() + '\n';
    std::fputs(ready.constData(), stdout);
    std::fflush(stdout);
    return app.exec();
}
