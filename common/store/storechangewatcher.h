#pragma once

#include <QObject>
#include <QSqlDatabase>
#include <QTimer>

namespace earshot {

// Notices commits made by other processes (the agent) to the store. SQLite's
// data_version changes exactly when another connection commits, so polling it is a
// cheap, reliable signal that needs no extra channel between the processes.
class StoreChangeWatcher : public QObject
{
    Q_OBJECT

public:
    explicit StoreChangeWatcher(QSqlDatabase db, QObject *parent = nullptr);

    void setInterval(std::chrono::milliseconds interval) { m_timer.setInterval(interval); }
    void start();
    void stop() { m_timer.stop(); }

    // Checks now instead of waiting for the timer.
    void checkNow();

Q_SIGNALS:
    void changed();

private:
    qint64 readDataVersion() const;

    QSqlDatabase m_db;
    QTimer m_timer;
    qint64 m_lastVersion = -1;
};

} // namespace earshot
