#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace earshot {

class MainWindow;
class PlaybackEngine;
class StoreSession;

// `earshot --screenshot FILE`, for the demo script: waits until the store has a
// completed sync and the table shows calls, selects the newest call whose recording is
// cached (so the player shows it playing), lets the window settle, and writes a PNG of
// the window. finished() carries the exit code and a line for the terminal.
class ScreenshotRunner : public QObject
{
    Q_OBJECT

public:
    ScreenshotRunner(MainWindow &window, StoreSession &session, PlaybackEngine &engine, QString path,
                     std::chrono::seconds timeout, QObject *parent = nullptr);

    void start();

Q_SIGNALS:
    void finished(int exitCode, const QString &message);

private:
    void poll();
    QString whatIsMissing() const;
    bool selectNewestCachedCall();
    void settle();
    void shoot();
    void finish(int exitCode, const QString &message);

    MainWindow &m_window;
    StoreSession &m_session;
    PlaybackEngine &m_engine;
    QString m_path;
    std::chrono::seconds m_timeout;
    QTimer m_poll;
    QElapsedTimer m_clock;
    QElapsedTimer m_settleClock;
    bool m_settling = false;
    bool m_done = false;
};

} // namespace earshot
