#include "call.h"

using namespace Qt::StringLiterals;

namespace earshot {

QString toString(Direction direction)
{
    return direction == Direction::Inbound ? u"inbound"_s : u"outbound"_s;
}

std::optional<Direction> directionFromString(QStringView text)
{
    if (text == u"inbound")
        return Direction::Inbound;
    if (text == u"outbound")
        return Direction::Outbound;
    return std::nullopt;
}

QString toString(RecordingStatus status)
{
    switch (status) {
    case RecordingStatus::Pending: return u"pending"_s;
    case RecordingStatus::Available: return u"available"_s;
    case RecordingStatus::Failed: return u"failed"_s;
    case RecordingStatus::Unavailable: return u"unavailable"_s;
    }
    return u"unavailable"_s;
}

std::optional<RecordingStatus> recordingStatusFromString(QStringView text)
{
    if (text == u"pending")
        return RecordingStatus::Pending;
    if (text == u"available")
        return RecordingStatus::Available;
    if (text == u"failed")
        return RecordingStatus::Failed;
    if (text == u"unavailable")
        return RecordingStatus::Unavailable;
    return std::nullopt;
}

QString toString(CacheState state)
{
    switch (state) {
    case CacheState::Absent: return u"absent"_s;
    case CacheState::Partial: return u"partial"_s;
    case CacheState::Present: return u"present"_s;
    }
    return u"absent"_s;
}

std::optional<CacheState> cacheStateFromString(QStringView text)
{
    if (text == u"absent")
        return CacheState::Absent;
    if (text == u"partial")
        return CacheState::Partial;
    if (text == u"present")
        return CacheState::Present;
    return std::nullopt;
}

} // namespace earshot
