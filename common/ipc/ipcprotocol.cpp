#include "ipc/ipcprotocol.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonDocument>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace earshot::ipc {

namespace {
QByteArray line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}
} // namespace

QByteArray encodeRequest(const Request &request)
{
    QJsonObject object{{"id"_L1, request.id}, {"command"_L1, request.command}};
    if (!request.args.isEmpty())
        object.insert("args"_L1, request.args);
    return line(object);
}

QByteArray encodeResult(qint64 id, const QJsonObject &result)
{
    return line({{"id"_L1, id}, {"ok"_L1, true}, {"result"_L1, result}});
}

QByteArray encodeError(qint64 id, const QString &code, const QString &message)
{
    return line({{"id"_L1, id}, {"ok"_L1, false},
                 {"error"_L1, QJsonObject{{"code"_L1, code}, {"message"_L1, message}}}});
}

QByteArray encodeEvent(const QString &name, const QJsonObject &data)
{
    return line({{"event"_L1, name}, {"data"_L1, data}});
}

Expected<Request> decodeRequest(QByteArrayView bytes)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Expected<Request>::failure(u"a request must be one JSON object per line"_s);
    const QJsonObject object = document.object();
    Request request;
    request.id = object.value("id"_L1).toInteger(-1);
    request.command = object.value("command"_L1).toString();
    request.args = object.value("args"_L1).toObject();
    if (request.id < 0 || request.command.isEmpty())
        return Expected<Request>::failure(u"a request needs a non-negative \"id\" and a \"command\""_s);
    return request;
}

QString socketPathFor(const QString &dataDir)
{
    // The runtime folder is private to the user (0700); the socket is named after the
    // data folder so that two stores on one machine have two agents.
    const QByteArray digest = QCryptographicHash::hash(QDir(dataDir).absolutePath().toUtf8(),
                                                       QCryptographicHash::Sha256).toHex().left(16);
    QString folder = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (folder.isEmpty())
        folder = QDir::tempPath();
    return QDir(folder).filePath(u"earshot-sync-"_s + QString::fromLatin1(digest) + u".sock"_s);
}

QString lockFilePathFor(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"earshot-sync.lock"_s);
}

bool LineBuffer::overflowed() const
{
    const qsizetype newline = m_buffer.indexOf('\n');
    return (newline < 0 ? m_buffer.size() : newline) > kMaxLineBytes;
}

bool LineBuffer::takeLine(QByteArray &lineOut)
{
    const qsizetype newline = m_buffer.indexOf('\n');
    if (newline < 0 || newline > kMaxLineBytes)
        return false;
    lineOut = m_buffer.left(newline);
    m_buffer.remove(0, newline + 1);
    return true;
}

} // namespace earshot::ipc
