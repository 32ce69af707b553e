// Turns SIGTERM and SIGINT into a clean QCoreApplication::quit() (the database is closed
// and the WAL checkpointed), using the self-pipe pattern: the signal handler only writes a
// byte, a QSocketNotifier reads it in the event loop.
#pragma once

#include <QtCore/QObject>
#include <QtCore/QSocketNotifier>

#include <memory>

namespace earshot::refserver {

class UnixSignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void terminationRequested();

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace earshot::refserver
