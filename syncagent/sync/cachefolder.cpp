#include "sync/cachefolder.h"

#include "agentlogging.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

const QStringList &knownFormats()
{
    static const QStringList formats{u"wav"_s, u"mp3"_s, u"m4a"_s, u"aac"_s, u"ogg"_s, u"opus"_s};
    return formats;
}

} // namespace

Status CacheFolder::ensureExists() const
{
    if (!QDir().mkpath(m_path))
        return Status::failure(u"cannot create the recording cache folder %1"_s.arg(m_path));
    return Status::ok();
}

bool CacheFolder::isKnownFormat(const QString &format)
{
    return knownFormats().contains(format);
}

bool CacheFolder::isCacheFileName(const QString &name)
{
    static const QRegularExpression pattern(
        u"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.(wav|mp3|m4a|aac|ogg|opus)(\\.part)?$"_s);
    return pattern.match(name).hasMatch();
}

QString CacheFolder::newFileName(const QString &format)
{
    Q_ASSERT(isKnownFormat(format));
    return QUuid::createUuid().toString(QUuid::WithoutBraces) + u'.' + format;
}

QString CacheFolder::filePath(const QString &name) const
{
    if (!isCacheFileName(name)) {
        qCWarning(lcSync) << "ignoring a cache file name the agent did not make:" << name.left(200);
        return {};
    }
    return QDir(m_path).filePath(name);
}

int CacheFolder::removeFiles(const QStringList &names) const
{
    int removed = 0;
    for (const QString &name : names) {
        const QString path = filePath(name);
        if (path.isEmpty())
            continue;
        if (QFile::remove(path))
            ++removed;
        else if (QFile::exists(path))
            qCWarning(lcSync) << "cannot delete the orphaned cache file" << path;
    }
    return removed;
}

int CacheFolder::removeStrays(const QStringList &referencedNames) const
{
    const QSet<QString> referenced(referencedNames.cbegin(), referencedNames.cend());
    QStringList strays;
    const QStringList present = QDir(m_path).entryList(QDir::Files | QDir::Hidden);
    for (const QString &name : present) {
        if (isCacheFileName(name) && !referenced.contains(name))
            strays.append(name);
    }
    const int removed = removeFiles(strays);
    if (removed > 0)
        qCInfo(lcSync) << "removed" << removed << "leftover cache files of an interrupted run";
    return removed;
}

} // namespace earshot
