#include "cache/cachekey.h"

#include "cache/cachecipher.h"
#include "secrets/secretstore.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"

#include <QUuid>

using namespace Qt::StringLiterals;

namespace earshot {

QString CacheKey::keychainEntry(const QString &keyId)
{
    return u"cache-key:"_s + keyId;
}

Expected<QByteArray> CacheKey::load(const QSqlDatabase &db, SecretStore &secrets)
{
    const QString keyId = SyncState(db).value(kKeyIdState);
    if (keyId.isEmpty())
        return Expected<QByteArray>::failure(u"the recording cache has no key yet (the agent creates it)"_s);
    const auto key = secrets.read(keychainEntry(keyId));
    if (!key)
        return Expected<QByteArray>::failure(key.error());
    if (!key->has_value() || (*key)->size() != cacheformat::kKeySize)
        return Expected<QByteArray>::failure(
            u"the recording cache key is missing from the system keychain; cached recordings cannot be read "
            "and will be downloaded again"_s);
    return **key;
}

Expected<bool> CacheKey::isLost(const QSqlDatabase &db, SecretStore &secrets)
{
    const QString keyId = SyncState(db).value(kKeyIdState);
    if (keyId.isEmpty())
        return false;
    const auto key = secrets.read(keychainEntry(keyId));
    if (!key)
        return Expected<bool>::failure(key.error());
    return !key->has_value() || (*key)->size() != cacheformat::kKeySize;
}

Status CacheKey::forget(const QSqlDatabase &db)
{
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return Status::failure(transaction.beginError());
    if (!SyncState(db).remove(kKeyIdState))
        return Status::failure(u"cannot forget the lost cache key in the local store"_s);
    return transaction.commit();
}

Expected<QByteArray> CacheKey::loadOrCreate(const QSqlDatabase &db, SecretStore &secrets)
{
    if (auto existing = load(db, secrets); existing || !SyncState(db).value(kKeyIdState).isEmpty())
        return existing;

    // Under the write lock so that two processes starting together create one key.
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return Expected<QByteArray>::failure(transaction.beginError());
    SyncState state(db);
    if (!state.value(kKeyIdState).isEmpty()) {
        transaction.rollback();
        return load(db, secrets);
    }
    const QString keyId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QByteArray key = CacheCipher::generateKey();
    // Keychain first: a recorded id without its key would make the cache unreadable.
    if (Status written = secrets.write(keychainEntry(keyId), key); !written)
        return Expected<QByteArray>::failure(written.error());
    if (!state.setValue(kKeyIdState, keyId))
        return Expected<QByteArray>::failure(u"cannot record the cache key in the local store"_s);
    if (Status committed = transaction.commit(); !committed)
        return Expected<QByteArray>::failure(committed.error());
    return key;
}

} // namespace earshot
