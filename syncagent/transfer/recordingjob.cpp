#include "transfer/recordingjob.h"

namespace earshot {

namespace {

bool spanCovers(const std::shared_ptr<MediaTransfer> &transfer, qint64 offset)
{
    return transfer && offset >= transfer->span().first && offset < transfer->span().end;
}

// A chunk is with the cache file once the stream has passed its end.
bool streamDelivered(const std::shared_ptr<MediaTransfer> &transfer, qint64 first, qint64 end)
{
    if (!transfer || first < transfer->span().first || first >= transfer->span().end)
        return false;
    const qint64 received = transfer->receivedUpTo();
    return received >= end;
}

} // namespace

qint64 RecordingJob::contiguousBytes() const
{
    qint64 index = 0;
    while (index < chunkCount() && have.testBit(static_cast<qsizetype>(index)))
        ++index;
    return std::min(index * chunkSize, recording.sizeBytes);
}

qint64 RecordingJob::missingBytes() const
{
    return std::max<qint64>(0, recording.sizeBytes - have.count(true) * chunkSize);
}

void RecordingJob::markDelivered(qint64 first, qint64 deliveredEnd)
{
    if (chunkSize <= 0)
        return;
    const qint64 endChunk = deliveredEnd == recording.sizeBytes ? chunkCount() : deliveredEnd / chunkSize;
    for (qint64 index = first / chunkSize; index < endChunk; ++index)
        have.setBit(static_cast<qsizetype>(index));
}

bool RecordingJob::isDelivered(qint64 index) const
{
    if (have.testBit(static_cast<qsizetype>(index)))
        return true;
    const qint64 first = index * chunkSize;
    const qint64 end = std::min(first + chunkSize, recording.sizeBytes);
    return streamDelivered(mainTransfer, first, end) || streamDelivered(rangeTransfer, first, end);
}

std::optional<std::pair<qint64, qint64>> RecordingJob::nextMissingSpan(qint64 fromChunk, qint64 toChunk,
                                                                       bool overtakeMain) const
{
    const auto busy = [this, overtakeMain](qint64 index) {
        const qint64 offset = index * chunkSize;
        return isDelivered(index) || (!overtakeMain && spanCovers(mainTransfer, offset))
            || spanCovers(rangeTransfer, offset);
    };
    qint64 first = std::max<qint64>(0, fromChunk);
    const qint64 limit = std::min(toChunk, chunkCount());
    while (first < limit && busy(first))
        ++first;
    if (first >= limit)
        return std::nullopt;
    qint64 end = first + 1;
    while (end < limit && !busy(end))
        ++end;
    return std::make_pair(first * chunkSize, std::min(end * chunkSize, recording.sizeBytes));
}

std::pair<qint64, qint64> RecordingJob::chunksOf(const PlayerRange &range) const
{
    const qint64 end = std::min(range.end, recording.sizeBytes);
    if (chunkSize <= 0 || end <= range.offset)
        return {0, 0};
    return {range.offset / chunkSize, (end - 1) / chunkSize + 1};
}

} // namespace earshot
