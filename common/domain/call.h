#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace earshot {

struct Lead
{
    QString id;
    QString name;
    QString phone;
};

struct Agent
{
    QString id;
    QString name;
};

struct DialList
{
    QString id;
    QString name;
};

enum class Direction { Inbound, Outbound };

// Availability on the server; the local cache state is tracked separately.
enum class RecordingStatus { Pending, Available, Failed, Unavailable };

enum class CacheState { Absent, Partial, Present };

struct Recording
{
    QString id;
    QString format; // wav, mp3, m4a, aac, ogg, opus
    qint64 sizeBytes = 0;
    double durationSeconds = 0;
    QString sha256; // lower-case hex, empty when the server gave none
    int channels = 1;
    RecordingStatus status = RecordingStatus::Pending;
};

struct Call
{
    QString id;
    Lead lead;
    Agent agent;
    std::optional<DialList> list; // empty: Manual Dial
    Direction direction = Direction::Outbound;
    QString outcome; // an open set: unknown values are shown as they come
    QDateTime startedAt;
    qint64 durationSeconds = 0;
    std::optional<Recording> recording;
    QString updatedAt; // kept as the server wrote it
};

struct CallTombstone
{
    QString id;
    QString updatedAt;
};

struct CallsPage
{
    QList<Call> calls;
    QList<CallTombstone> tombstones;
    QString nextCursor;
    bool hasMore = false;
};

QString toString(Direction direction);
std::optional<Direction> directionFromString(QStringView text);
QString toString(RecordingStatus status);
std::optional<RecordingStatus> recordingStatusFromString(QStringView text);
QString toString(CacheState state);
std::optional<CacheState> cacheStateFromString(QStringView text);

} // namespace earshot
