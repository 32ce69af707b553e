#pragma once

#include "syncerror.h"

namespace earshot {

// The agent's exit statuses. Scripts and tests depend on them; --help lists them.
enum class ExitCode : int {
    Success = 0,
    Usage = 2,
    SignInAgain = 3, // not signed in, the sign-in was refused, or the keychain is unavailable
    Server = 4,      // server unreachable, or it answered with an error
    LocalStore = 5,  // the local store, the cache folder or the data folder (also: its disk is full)
};

// 128 + N when signal N stopped a --once pass before it finished, as shells report it.
constexpr int kStoppedBySignalBase = 128;

inline ExitCode exitCodeFor(const SyncError &error)
{
    switch (error.kind) {
    case SyncError::Kind::SignInAgain: return ExitCode::SignInAgain;
    case SyncError::Kind::Server: return ExitCode::Server;
    case SyncError::Kind::LocalStore: return ExitCode::LocalStore;
    case SyncError::Kind::DiskFull: return ExitCode::LocalStore;
    case SyncError::Kind::Stopped: return ExitCode::Success;
    }
    return ExitCode::Server;
}

inline int toInt(ExitCode code)
{
    return static_cast<int>(code);
}

} // namespace earshot
