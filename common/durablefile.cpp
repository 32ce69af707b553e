#include "durablefile.h"

#include <QDir>
#include <QFileDevice>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace earshot {

namespace {
QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}
} // namespace

Status syncToDisk(QFileDevice &file)
{
    if (!file.flush())
        return Status::failure(u"cannot write %1: %2"_s.arg(file.fileName(), file.errorString()));
#ifdef Q_OS_WIN
    const int result = _commit(file.handle());
#else
    const int result = ::fsync(file.handle());
#endif
    if (result != 0)
        return Status::failure(u"cannot make %1 durable: %2"_s.arg(file.fileName(), errnoText()));
    return Status::ok();
}

Status syncDirectory(const QString &directoryPath)
{
#ifdef Q_OS_WIN
    Q_UNUSED(directoryPath) // NTFS journals renames; there is no directory handle to flush
    return Status::ok();
#else
    const int fd = ::open(QFile::encodeName(directoryPath).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Status::failure(u"cannot open folder %1: %2"_s.arg(directoryPath, errnoText()));
    const int result = ::fsync(fd);
    const QString error = result == 0 ? QString() : errnoText();
    ::close(fd);
    if (result != 0)
        return Status::failure(u"cannot make folder %1 durable: %2"_s.arg(directoryPath, error));
    return Status::ok();
#endif
}

Status renameDurably(const QString &from, const QString &to)
{
    if (std::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) != 0)
        return Status::failure(u"cannot rename %1 to %2: %3"_s.arg(from, to, errnoText()));
    return syncDirectory(QFileInfo(to).absolutePath());
}

} // namespace earshot
