#pragma once

#include "expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// The agent's local control protocol (docs/ipc-protocol.md): one JSON object per line.
//   request   {"id": 7, "command": "status", "args": {...}}
//   response  {"id": 7, "ok": true, "result": {...}}  or  {"id": 7, "ok": false, "error": {"code", "message"}}
//   event     {"event": "progress", "data": {...}}     (only to clients that subscribed)
namespace earshot::ipc {

constexpr int kProtocolVersion = 1;
// A line longer than this is a broken or hostile peer: the connection is dropped.
constexpr qsizetype kMaxLineBytes = 1024 * 1024;

struct Request
{
    qint64 id = 0;
    QString command;
    QJsonObject args;
};

QByteArray encodeRequest(const Request &request);
QByteArray encodeResult(qint64 id, const QJsonObject &result);
QByteArray encodeError(qint64 id, const QString &code, const QString &message);
QByteArray encodeEvent(const QString &name, const QJsonObject &data);

Expected<Request> decodeRequest(QByteArrayView line);

// Where the agent for a data folder listens and which file makes it the only one.
QString socketPathFor(const QString &dataDir);
QString lockFilePathFor(const QString &dataDir);

// Splits a byte stream into lines; refuses to buffer more than kMaxLineBytes.
class LineBuffer
{
public:
    void append(QByteArrayView bytes) { m_buffer.append(bytes); }
    bool takeLine(QByteArray &line);
    // True once the peer sent a line longer than kMaxLineBytes: drop the connection.
    bool overflowed() const;

private:
    QByteArray m_buffer;
};

} // namespace earshot::ipc
