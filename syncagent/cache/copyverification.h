#pragma once

#include <QByteArray>
#include <QString>

namespace earshot {

// Reads a cached copy whole, through the cipher, and checks it against what the store
// says the recording is: every chunk authenticates, the plaintext has sizeBytes bytes and,
// when the server gave one, that SHA-256. Empty when the copy is sound; otherwise what is
// wrong, in words for the log and the person. Blocking: run it off the agent's thread.
QString copyProblem(const QString &path, const QByteArray &key, qint64 sizeBytes, const QString &sha256);

} // namespace earshot
