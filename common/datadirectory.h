#pragma once

#include "expected.h"

#include <QString>

class QCommandLineParser;

namespace earshot {

// Where the local store and the cache live. Both programs must agree on it, so both
// resolve it here: --data-dir, then EARSHOT_DATA_DIR, then AppLocalDataLocation.
class DataDirectory
{
public:
    static constexpr auto kEnvironmentVariable = "EARSHOT_DATA_DIR";

    // Call after QCoreApplication exists (AppLocalDataLocation needs its names).
    static QString resolve(const QString &commandLineValue);

    // Sets the organisation and application names that AppLocalDataLocation is built from;
    // the app and the agent must use the same ones to find the same store.
    static void applyApplicationIdentity();

    static QString databasePath(const QString &dataDir);
    static QString cacheDirectory(const QString &dataDir);

    // Creates the folder if it is missing; fails saying why (a file in the way, the
    // system's reason) and what to do.
    static Status create(const QString &dataDir);
};

} // namespace earshot
