// earshot: review and play call recordings from the local store that earshot-sync keeps.

#include "agent/agentconnection.h"
#include "applogging.h"
#include "datadirectory.h"
#include "playback/cachekeyloader.h"
#include "playback/qtmultimediaplaybackengine.h"
#include "playback/recordingopener.h"
#include "session/storesession.h"
#include "widgets/mainwindow.h"
#include "widgets/screenshotrunner.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QTextStream>

#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

class Main
{
    Q_DECLARE_TR_FUNCTIONS(earshot)
};

constexpr int kExitStoreUnavailable = 2;
constexpr int kExitUsage = 64;

// --help and --version print and leave; they must work without a display (in install
// checks and CI), so they get a QCoreApplication and never a QApplication.
bool onlyAsksForHelpOrVersion(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        for (const char *option : {"-h", "--help", "--help-all", "-v", "--version"}) {
            if (std::strcmp(argv[i], option) == 0)
                return true;
        }
    }
    return false;
}

void printLine(FILE *stream, const QString &text)
{
    QTextStream(stream) << text << Qt::endl;
}

} // namespace

int main(int argc, char *argv[])
{
    earshot::DataDirectory::applyApplicationIdentity();
    const bool guiNeeded = !onlyAsksForHelpOrVersion(argc, argv);
    std::unique_ptr<QCoreApplication> app = guiNeeded ? std::make_unique<QApplication>(argc, argv)
                                                      : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(u"earshot"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(Main::tr("Review and play call-center recordings that earshot-sync keeps "
                                              "in the local store, online or offline."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(
        u"data-dir"_s,
        Main::tr("Folder of the local store and the recording cache (default: $%1, else the per-user data folder).")
            .arg(QLatin1StringView(earshot::DataDirectory::kEnvironmentVariable)),
        Main::tr("DIR"));
    const QCommandLineOption screenshotOption(
        u"screenshot"_s,
        Main::tr("Wait for a completed sync, play the newest cached call, write a PNG of the window to FILE and exit."),
        Main::tr("FILE"));
    const QCommandLineOption timeoutOption(u"screenshot-timeout"_s,
                                           Main::tr("How long --screenshot waits for the store, in seconds."),
                                           Main::tr("SECONDS"), u"120"_s);
    parser.addOptions({dataDirOption, screenshotOption, timeoutOption});
    parser.process(*app); // exits for --help, --version and unknown options

    bool timeoutOk = false;
    const int timeoutSeconds = parser.value(timeoutOption).toInt(&timeoutOk);
    if (!timeoutOk || timeoutSeconds <= 0) {
        printLine(stderr, Main::tr("earshot: --screenshot-timeout needs a positive number of seconds"));
        return kExitUsage;
    }
    const bool screenshotMode = parser.isSet(screenshotOption);

    const QString dataDir = earshot::DataDirectory::resolve(parser.value(dataDirOption));
    qCInfo(lcApp) << "data directory" << dataDir;
    auto session = earshot::StoreSession::open(dataDir);
    if (!session) {
        const QString message = Main::tr("Earshot cannot open its local store.\n\n%1\n\nThe store is in %2 "
                                         "(set with --data-dir or %3).")
                                    .arg(session.error(), dataDir,
                                         QLatin1StringView(earshot::DataDirectory::kEnvironmentVariable));
        printLine(stderr, message);
        if (!screenshotMode)
            QMessageBox::critical(nullptr, Main::tr("Earshot"), message);
        return kExitStoreUnavailable;
    }

    QApplication::setWindowIcon(QIcon(u":/icons/earshot.svg"_s));
    earshot::QtMultimediaPlaybackEngine engine;
    earshot::CacheKeyLoader cacheKey((*session)->connection());
    cacheKey.load(); // now, so that the keychain's answer is there by the first click
    earshot::AgentConnection agent(dataDir, earshot::AgentLauncher(dataDir));
    earshot::RecordingOpener opener((*session)->cacheDirectory(), earshot::CallQuery((*session)->connection()),
                                    cacheKey, agent);
    earshot::MainWindow window(**session, engine, opener, agent);
    std::unique_ptr<earshot::ScreenshotRunner> screenshot;
    if (screenshotMode) {
        window.setRemembersLayout(false);
        window.resize(1280, 800);
        screenshot = std::make_unique<earshot::ScreenshotRunner>(window, **session, engine,
                                                                  parser.value(screenshotOption),
                                                                  std::chrono::seconds(timeoutSeconds));
        QObject::connect(screenshot.get(), &earshot::ScreenshotRunner::finished, app.get(),
                         [](int exitCode, const QString &message) {
                             printLine(exitCode == 0 ? stdout : stderr, u"earshot: "_s + message);
                             QCoreApplication::exit(exitCode);
                         });
    }
    window.show();
    agent.start();
    if (screenshot)
        screenshot->start();
    return QCoreApplication::exec();
}
