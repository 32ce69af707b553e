#include "models/callpresentation.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot::presentation {

namespace {

// The translation context of every text here.
class CallPresentation
{
    Q_DECLARE_TR_FUNCTIONS(CallPresentation)
};

bool isSnakeCase(const QString &text)
{
    if (text.isEmpty())
        return false;
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_';
    });
}

} // namespace

QString startedAtText(qint64 startedAtMs)
{
    return QDateTime::fromMSecsSinceEpoch(startedAtMs, Qt::LocalTime).toString(u"yyyy-MM-dd HH:mm"_s);
}

QString startedAtDetail(qint64 startedAtMs)
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(startedAtMs, Qt::LocalTime);
    const QDateTime utc = local.toUTC();
    //: %1 is the local date and time, %2 the same moment in UTC
    return CallPresentation::tr("%1 (%2 UTC)")
        .arg(local.toString(u"yyyy-MM-dd HH:mm:ss"_s), utc.toString(u"yyyy-MM-dd HH:mm"_s));
}

QString durationText(qint64 seconds)
{
    if (seconds < 0)
        seconds = 0;
    const qint64 hours = seconds / 3600;
    const qint64 minutes = (seconds % 3600) / 60;
    const qint64 rest = seconds % 60;
    if (hours > 0)
        return u"%1:%2:%3"_s.arg(hours).arg(minutes, 2, 10, QChar(u'0')).arg(rest, 2, 10, QChar(u'0'));
    return u"%1:%2"_s.arg(minutes).arg(rest, 2, 10, QChar(u'0'));
}

QString positionText(qint64 milliseconds)
{
    return durationText(milliseconds / 1000);
}

QString dialListText(const CallRow &call)
{
    return call.isManualDial() ? CallPresentation::tr("Manual Dial") : call.listName;
}

QString outcomeText(const QString &outcome)
{
    if (outcome == u"connected")
        return CallPresentation::tr("Connected");
    if (outcome == u"no_answer")
        return CallPresentation::tr("No answer");
    if (outcome == u"busy")
        return CallPresentation::tr("Busy");
    if (outcome == u"invalid_number")
        return CallPresentation::tr("Invalid number");
    if (outcome == u"voicemail")
        return CallPresentation::tr("Voicemail");
    if (!isSnakeCase(outcome))
        return outcome;
    QString words = outcome;
    words.replace(u'_', u' ');
    words = words.simplified();
    if (!words.isEmpty())
        words[0] = words.at(0).toUpper();
    return words;
}

QString directionText(Direction direction)
{
    return direction == Direction::Inbound ? CallPresentation::tr("Inbound") : CallPresentation::tr("Outbound");
}

QString recordingStateText(const CallRow &call)
{
    if (!call.hasRecording())
        return u"—"_s;
    if (call.cacheState == CacheState::Present)
        return CallPresentation::tr("Cached");
    if (call.recordingStatus == RecordingStatus::Available && call.downloadGaveUpAtMs)
        return CallPresentation::tr("Download failed");
    if (call.cacheState == CacheState::Partial && call.recordingStatus == RecordingStatus::Available)
        return CallPresentation::tr("Partly cached");
    switch (call.recordingStatus.value_or(RecordingStatus::Unavailable)) {
    case RecordingStatus::Available: return CallPresentation::tr("Available");
    case RecordingStatus::Pending: return CallPresentation::tr("Pending");
    case RecordingStatus::Failed: return CallPresentation::tr("Failed");
    case RecordingStatus::Unavailable: return CallPresentation::tr("Unavailable");
    }
    return CallPresentation::tr("Unavailable");
}

QString recordingStateDetail(const CallRow &call)
{
    if (!call.hasRecording())
        return CallPresentation::tr("This call has no recording.");
    if (call.cacheState == CacheState::Present) {
        //: %1 is a file format such as MP3, %2 mono or stereo, %3 a duration such as 1:05
        return CallPresentation::tr("In the local cache: %1, %2, %3.")
            .arg(call.recordingFormat.toUpper(),
                 call.channels == 2 ? CallPresentation::tr("stereo") : CallPresentation::tr("mono"),
                 durationText(qRound64(call.recordingSeconds)));
    }
    return whyNotPlayable(call);
}

namespace {

// The server offers the recording, but the agent's downloads kept failing: the person can
// act on the reason (a proxy, a certificate, the network) and need not wait for the retry.
QString downloadGaveUpText(const CallRow &call)
{
    const QString reason = call.lastDownloadError.isEmpty() ? CallPresentation::tr("no reason given")
                                                             : call.lastDownloadError;
    if (call.nextDownloadAtMs <= 0)
        //: %1 is why the last download failed, in the agent's words
        return CallPresentation::tr("earshot-sync gave up downloading this recording after %n failed tries; the last "
                                    "one: %1. Play tries again now.", nullptr, call.downloadAttempts)
            .arg(reason);
    //: %1 is why the last download failed, in the agent's words; %2 a date and time
    return CallPresentation::tr("earshot-sync gave up downloading this recording after %n failed tries; the last "
                                "one: %1. It tries again by itself at %2; Play tries now.", nullptr,
                                call.downloadAttempts)
        .arg(reason, startedAtText(call.nextDownloadAtMs));
}

} // namespace

QString whyNotPlayable(const CallRow &call)
{
    using Text = CallPresentation;
    if (!call.hasRecording())
        return Text::tr("This call has no recording.");
    if (call.cacheState == CacheState::Present)
        return {};
    switch (call.recordingStatus.value_or(RecordingStatus::Unavailable)) {
    case RecordingStatus::Available:
        if (call.downloadGaveUpAtMs)
            return downloadGaveUpText(call);
        if (call.cacheState == CacheState::Partial)
            return Text::tr("Part of the recording is downloaded; it plays while earshot-sync fetches the rest.");
        return Text::tr("The recording is on the server but not downloaded yet; it plays while earshot-sync "
                        "fetches it, when earshot-sync runs and is online.");
    case RecordingStatus::Pending:
        return Text::tr("The server is still processing this recording; it can be played once the server has it "
                        "ready.");
    case RecordingStatus::Failed:
        return Text::tr("The server failed to produce this recording; ask the server's administrators about it.");
    case RecordingStatus::Unavailable:
        break;
    }
    return Text::tr("The server no longer offers this recording.");
}

QString callSummary(const CallRow &call)
{
    QStringList parts;
    parts << (call.leadPhone.isEmpty() ? call.leadName : u"%1 (%2)"_s.arg(call.leadName, call.leadPhone));
    parts << call.agentName << startedAtText(call.startedAtMs) << dialListText(call) << outcomeText(call.outcome);
    parts.removeAll(QString());
    return parts.join(u" · "_s);
}

} // namespace earshot::presentation
