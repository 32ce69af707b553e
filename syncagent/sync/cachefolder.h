#pragma once

#include "expected.h"

#include <QString>
#include <QStringList>

namespace earshot {

// The recording cache folder (DataDirectory::cacheDirectory). The store's cache_file
// column holds a bare file name in this folder, one the agent made up itself:
// "<random uuid>.<format>" (and "<...>.part" while downloading). Identifiers that came
// from the server never become part of a file name or path.
class CacheFolder
{
public:
    explicit CacheFolder(QString path) : m_path(std::move(path)) {}

    const QString &path() const { return m_path; }
    Status ensureExists() const;

    // The formats of the server contract; anything else is not stored.
    static bool isKnownFormat(const QString &format);
    // A name this agent could have made: a UUID, a known format, optionally ".part".
    static bool isCacheFileName(const QString &name);
    static QString newFileName(const QString &format);
    static QString partialNameFor(const QString &finalName) { return finalName + QStringLiteral(".part"); }

    // Only for names that pass isCacheFileName; anything else yields an empty path.
    QString filePath(const QString &name) const;

    // Deletes the named files (those of removed or replaced recordings); returns how many.
    int removeFiles(const QStringList &names) const;
    // Deletes what an interrupted run left that the store does not refer to: partial
    // downloads it never recorded, and finished files whose commit did not happen. Run
    // only while holding the agent's lock, so that no download of this agent is under way.
    int removeStrays(const QStringList &referencedNames) const;

private:
    QString m_path;
};

} // namespace earshot
