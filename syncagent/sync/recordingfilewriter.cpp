#include "sync/recordingfilewriter.h"

#include "agentlogging.h"

#include <QDir>
#include <QFileInfo>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

bool flushToDisk(int fd)
{
#ifdef Q_OS_WIN
    return _commit(fd) == 0;
#else
    return ::fsync(fd) == 0;
#endif
}

// Makes a rename durable: on POSIX the directory entry lives in the folder's own data.
void flushFolder([[maybe_unused]] const QString &folder)
{
#ifndef Q_OS_WIN
    const int fd = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
#endif
}

} // namespace

RecordingFileWriter::RecordingFileWriter(const CacheFolder &folder, const QString &format)
    : m_finalName(CacheFolder::newFileName(format))
    , m_finalPath(folder.filePath(m_finalName))
    , m_file(folder.filePath(CacheFolder::partialNameFor(m_finalName)))
{
}

RecordingFileWriter::~RecordingFileWriter()
{
    if (!m_committed)
        discard();
}

Status RecordingFileWriter::open()
{
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return Status::failure(u"cannot create %1: %2"_s.arg(m_file.fileName(), m_file.errorString()));
    return Status::ok();
}

bool RecordingFileWriter::write(QByteArrayView chunk)
{
    if (m_sizeLimit >= 0 && m_bytes + chunk.size() > m_sizeLimit) {
        m_error = u"the server sent more than the expected %1 bytes"_s.arg(m_sizeLimit);
        m_exceededSizeLimit = true;
        return false;
    }
    if (m_file.write(chunk.data(), chunk.size()) != chunk.size()) {
        m_error = u"cannot write %1: %2"_s.arg(m_file.fileName(), m_file.errorString());
        return false;
    }
    m_hash.addData(chunk);
    m_bytes += chunk.size();
    return true;
}

Expected<QString> RecordingFileWriter::commit(const RecordingExpectation &expected)
{
    using Result = Expected<QString>;
    if (!m_file.isOpen())
        return Result::failure(u"the partial file is not open"_s);
    if (expected.contentLength >= 0 && m_bytes != expected.contentLength)
        return Result::failure(u"received %1 bytes but the server announced %2"_s.arg(m_bytes).arg(expected.contentLength));
    if (m_bytes != expected.sizeBytes)
        return Result::failure(u"received %1 bytes but the recording has %2"_s.arg(m_bytes).arg(expected.sizeBytes));
    const QString digest = QString::fromLatin1(m_hash.result().toHex());
    if (!expected.sha256.isEmpty() && digest != expected.sha256)
        return Result::failure(u"the content does not match its SHA-256 (got %1, expected %2)"_s.arg(digest, expected.sha256));
    if (!m_file.flush() || !flushToDisk(m_file.handle()))
        return Result::failure(u"cannot flush %1 to disk: %2"_s.arg(m_file.fileName(), m_file.errorString()));
    m_file.close();
    if (!m_file.rename(m_finalPath))
        return Result::failure(u"cannot rename %1: %2"_s.arg(m_file.fileName(), m_file.errorString()));
    flushFolder(QFileInfo(m_finalPath).absolutePath());
    m_committed = true;
    return m_finalName;
}

void RecordingFileWriter::discard()
{
    if (m_committed) {
        // The caller could not record the file as present: it is an orphan now.
        QFile::remove(m_finalPath);
        m_committed = false;
        return;
    }
    m_file.close();
    if (m_file.exists() && !m_file.remove())
        qCWarning(lcSync) << "cannot delete the partial download" << m_file.fileName();
}

} // namespace earshot
