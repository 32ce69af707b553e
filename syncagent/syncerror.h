#pragma once

#include "result.h"

#include <QString>

namespace earshot {

// Why the agent could not do something, sorted by what the user has to do about it.
struct SyncError
{
    enum class Kind {
        SignInAgain, // no saved session, or the server no longer accepts it
        Server,      // unreachable, answered with an error, or sent something unreadable
        LocalStore,  // the store or the cache folder on this computer
        DiskFull,    // the disk of the cache is full: downloads wait until space returns
        Stopped,     // SIGINT/SIGTERM arrived while working
    };

    Kind kind = Kind::Server;
    QString message;    // for the user: what happened and what to do
    int httpStatus = 0; // when the server answered with an error status
    QString code;       // the server's error code, when it gave one

    static SyncError server(QString message, int httpStatus = 0, QString code = {})
    {
        return {Kind::Server, std::move(message), httpStatus, std::move(code)};
    }
    // A full disk under the store is DiskFull, with what to do about it: freeing space
    // cures it, where other store errors need the user to look at the store.
    static SyncError localStore(QString message);
    static SyncError diskFull(QString message) { return {Kind::DiskFull, std::move(message), 0, {}}; }
    static SyncError signInAgain(QString message) { return {Kind::SignInAgain, std::move(message), 0, {}}; }
    static SyncError stopped() { return {Kind::Stopped, QStringLiteral("stopped on request"), 0, {}}; }
};

template <typename T>
using SyncResult = Result<T, SyncError>;

} // namespace earshot
