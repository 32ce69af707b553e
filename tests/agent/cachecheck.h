#pragma once

#include "storeinspector.h"

#include <QByteArray>
#include <QStringList>

// The recording cache as a user's app would find it: every recording the server has
// available is present, every present file decrypts (with the cache key from the
// keychain) to the size and SHA-256 the server gave, and the folder holds nothing else
// (no partial downloads, no orphans).
struct CacheCheck
{
    qint64 present = 0;
    qint64 bytes = 0;
    QStringList problems; // empty when everything holds
};

CacheCheck checkCache(const StoreInspector &store, const QString &cacheDir);

// The cache key the agent keeps in the keychain for this store; empty (with a warning)
// when it cannot be read.
QByteArray cacheKeyOf(const StoreInspector &store);

// SHA-256 (hex) and size of the plaintext in an encrypted cache file; empty on failure.
struct DecryptedDigest
{
    QString sha256;
    qint64 size = -1;
    QString error;
};
DecryptedDigest decryptedDigest(const QString &path, const QByteArray &key);
