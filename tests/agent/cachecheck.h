#pragma once

#include "storeinspector.h"

#include <QStringList>

// The recording cache as a user's app would find it: every recording the server has
// available is present, every present file has the size and SHA-256 the server gave,
// and the folder holds nothing else (no partial downloads, no orphans).
struct CacheCheck
{
    qint64 present = 0;
    qint64 bytes = 0;
    QStringList problems; // empty when everything holds
};

CacheCheck checkCache(const StoreInspector &store, const QString &cacheDir);
