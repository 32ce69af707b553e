#include "call_json.h"

#include "json_out.h"

namespace earshot::refserver {

namespace {

void appendRecording(QByteArray &out, const RecordingRow &recording)
{
    out.append(R"({"id":)");
    json::appendString(out, recording.id);
    out.append(R"(,"format":)");
    json::appendString(out, recording.format);
    out.append(R"(,"size_bytes":)");
    json::appendInt(out, recording.sizeBytes);
    out.append(R"(,"duration_seconds":)");
    json::appendDouble(out, recording.durationSeconds);
    out.append(R"(,"sha256":)");
    if (recording.sha256.isNull())
        out.append("null");
    else
        json::appendString(out, recording.sha256);
    out.append(R"(,"channels":)");
    json::appendInt(out, recording.channels);
    out.append(R"(,"status":)");
    json::appendString(out, recording.status);
    out.append('}');
}

} // namespace

void appendCallJson(QByteArray &out, const CallRow &call)
{
    out.append(R"({"id":)");
    json::appendString(out, call.id);
    if (call.deleted) {
        out.append(R"(,"deleted":true,"updated_at":)");
        json::appendTimestamp(out, call.updatedAtMs, true);
        out.append('}');
        return;
    }
    out.append(R"(,"lead":{"id":)");
    json::appendString(out, call.leadId);
    out.append(R"(,"name":)");
    json::appendString(out, call.leadName);
    out.append(R"(,"phone":)");
    json::appendString(out, call.leadPhone);
    out.append(R"(},"agent":{"id":)");
    json::appendString(out, call.agentId);
    out.append(R"(,"name":)");
    json::appendString(out, call.agentName);
    out.append(R"(},"list":)");
    if (call.listId.isNull()) {
        out.append("null");
    } else {
        out.append(R"({"id":)");
        json::appendString(out, call.listId);
        out.append(R"(,"name":)");
        json::appendString(out, call.listName);
        out.append('}');
    }
    out.append(R"(,"direction":)");
    json::appendString(out, call.direction);
    out.append(R"(,"outcome":)");
    json::appendString(out, call.outcome);
    out.append(R"(,"started_at":)");
    json::appendTimestamp(out, call.startedAtMs, false);
    out.append(R"(,"duration_seconds":)");
    json::appendInt(out, call.durationSeconds);
    out.append(R"(,"recording":)");
    if (call.recording)
        appendRecording(out, *call.recording);
    else
        out.append("null");
    out.append(R"(,"updated_at":)");
    json::appendTimestamp(out, call.updatedAtMs, true);
    out.append('}');
}

} // namespace earshot::refserver
