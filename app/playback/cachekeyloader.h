#pragma once

#include "secrets/keychainsecretstore.h"

#include <QByteArray>
#include <QObject>
#include <QSqlDatabase>

#include <chrono>

namespace earshot {

// Reads the recording cache's key from the OS keychain once per run, without blocking:
// a locked keyring can keep a read waiting for a prompt, and the window must stay alive
// meanwhile. Failing is a state with a message (locked, no keyring, no key yet), never a
// fallback; load() tries again, e.g. after the person unlocked the keyring.
class CacheKeyLoader : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Loading, Ready, Failed };
    Q_ENUM(State)

    explicit CacheKeyLoader(QSqlDatabase db, QObject *parent = nullptr);
    ~CacheKeyLoader() override;


    // Starts reading unless the key is there or being read.
    void load();
    State state() const { return m_state; }
    const QByteArray &key() const { return m_key; }
    // What the person can do, when state() is Failed.
    const QString &error() const { return m_error; }

Q_SIGNALS:
    // state() is Ready or Failed now.
    void finished();

private:
    void finish(const QByteArray &key, const QString &error);

    QSqlDatabase m_db;
    KeychainSecretStore m_secrets;
    State m_state = State::Idle;
    QByteArray m_key;
    QString m_error;
};

} // namespace earshot
