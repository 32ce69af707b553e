#pragma once

#include "store/callquery.h"

#include <QString>

// How a call is put into words on screen. One place, so that the table, the player and
// the status texts agree, and so that translations have a single context to cover.
namespace earshot::presentation {

// "yyyy-MM-dd HH:mm" in the computer's local time.
QString startedAtText(qint64 startedAtMs);
// Local time with seconds and the UTC time beside it, for tool tips.
QString startedAtDetail(qint64 startedAtMs);

// "m:ss", or "h:mm:ss" from one hour on.
QString durationText(qint64 seconds);
// Playback positions, in milliseconds, shown the same way.
QString positionText(qint64 milliseconds);

// "Manual Dial" when the call came from no list.
QString dialListText(const CallRow &call);

// Known outcomes get a translated label ("no_answer" becomes "No answer"). The set is
// open: an unknown snake_case value is prettified the same way ("callback_set" becomes
// "Callback set"), anything else is shown exactly as the server sent it.
QString outcomeText(const QString &outcome);

QString directionText(Direction direction);

// "Cached", "Download failed" (the agent gave up; the server offers it), "Partly cached",
// "Available", "Pending", "Failed" (on the server), "Unavailable", or "—" for no recording.
QString recordingStateText(const CallRow &call);
// A sentence about the recording for tool tips.
QString recordingStateDetail(const CallRow &call);

// Empty when the call's recording is in the local cache and can be played; otherwise
// the reason, phrased for the person who clicked the call (an available recording can
// still be streamed through the agent: RecordingOpener).
QString whyNotPlayable(const CallRow &call);

// One line naming the call: lead, phone, agent, time, list.
QString callSummary(const CallRow &call);

} // namespace earshot::presentation
