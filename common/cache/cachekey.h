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

    static QString keychainEntry(const QString &keyId);
};

} // namespace earshot
