#pragma once

#include "expected.h"

#include <QByteArray>
#include <QSqlDatabase>

namespace earshot {

class SecretStore;

// The key that encrypts the recording cache. It is generated once per local store and
// lives only in the OS keychain; the store records which keychain entry holds it, so
// the app and the agent (and two stores on one machine) never mix keys up.
class CacheKey
{
public:
    static constexpr auto kKeyIdState = "cache_key_id";

    // For the agent: reads the key, creating and recording one when the store has none.
    static Expected<QByteArray> loadOrCreate(const QSqlDatabase &db, SecretStore &secrets);
    // For readers (the app): never creates; fails clearly when there is no key yet.
    static Expected<QByteArray> load(const QSqlDatabase &db, SecretStore &secrets);

    // True when the store names a key that the keychain, answering, says it does not hold
    // (deleted by the person, or a keychain reset): every cached copy is unreadable. A
    // keychain that cannot answer (locked, no service) is an error, not a lost key.
    static Expected<bool> isLost(const QSqlDatabase &db, SecretStore &secrets);
    // Forgets the lost key's id, so that loadOrCreate() makes a new key. Only once the
    // copies sealed with the old one are gone.
    static Status forget(const QSqlDatabase &db);

    static QString keychainEntry(const QString &keyId);
};

} // namespace earshot
