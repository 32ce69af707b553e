#include "api/apijson.h"

#include "api/callspagefast.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace earshot {

QString ApiError::describe() const
{
    QString text = message.isEmpty() ? code : message;
    if (text.isEmpty())
        text = httpStatus == 0 ? u"no answer from the server"_s : u"HTTP status %1"_s.arg(httpStatus);
    if (httpStatus != 0 && !code.isEmpty())
        return u"%1 (HTTP %2, %3)"_s.arg(text).arg(httpStatus).arg(code);
    return text;
}

namespace apijson {
namespace {

// Reads fields of one JSON object and remembers the first problem, so a parser reads
// as a list of fields instead of a ladder of checks.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, QString context) : m_object(object), m_context(std::move(context)) {}

    QString string(QLatin1StringView key, bool optional = false)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isString())
            return value.toString();
        if (!(optional && (value.isUndefined() || value.isNull())))
            fail(key, "a string"_L1);
        return {};
    }

    QString identifier(QLatin1StringView key)
    {
        QString value = string(key);
        if (m_error.isEmpty() && (value.isEmpty() || value.size() > kMaxIdentifierLength))
            fail(key, "an identifier of 1 to 128 characters"_L1);
        return value;
    }

    qint64 integer(QLatin1StringView key)
    {
        const QJsonValue value = m_object.value(key);
        const double number = value.toDouble(-1);
        if (!value.isDouble() || number < 0 || number != static_cast<double>(static_cast<qint64>(number))) {
            fail(key, "a non-negative integer"_L1);
            return 0;
        }
        return static_cast<qint64>(number);
    }

    double number(QLatin1StringView key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isDouble() || value.toDouble() < 0) {
            fail(key, "a non-negative number"_L1);
            return 0;
        }
        return value.toDouble();
    }

    bool boolean(QLatin1StringView key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isBool())
            fail(key, "true or false"_L1);
        return value.toBool();
    }

    QDateTime timestamp(QLatin1StringView key)
    {
        const QString text = string(key);
        QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (m_error.isEmpty() && !time.isValid())
            fail(key, "an RFC 3339 time"_L1);
        return time.toUTC();
    }

    QJsonObject object(QLatin1StringView key, bool optional = false)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isObject() && !(optional && (value.isNull() || value.isUndefined())))
            fail(key, "an object"_L1);
        return value.toObject();
    }

    bool isNull(QLatin1StringView key) const
    {
        const QJsonValue value = m_object.value(key);
        return value.isNull() || value.isUndefined();
    }

    void fail(QLatin1StringView key, QLatin1StringView expected)
    {
        if (m_error.isEmpty())
            m_error = u"%1: field \"%2\" must be %3"_s.arg(m_context, key, expected);
    }
    void failWith(QString message)
    {
        if (m_error.isEmpty())
            m_error = m_context + u": "_s + message;
    }

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }

private:
    const QJsonObject &m_object;
    QString m_context;
    QString m_error;
};

Expected<QJsonObject> parseObject(const QByteArray &body, QLatin1StringView what)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Expected<QJsonObject>::failure(
            u"the server's %1 is not valid JSON (%2 at byte %3)"_s.arg(what, parseError.errorString()).arg(parseError.offset));
    if (!document.isObject())
        return Expected<QJsonObject>::failure(u"the server's %1 is not a JSON object"_s.arg(what));
    return document.object();
}

Expected<Recording> parseRecording(const QJsonObject &object, const QString &callId)
{
    FieldReader field(object, u"recording of call %1"_s.arg(callId));
    Recording recording;
    recording.id = field.identifier("id"_L1);
    recording.format = field.string("format"_L1).toLower();
    recording.sizeBytes = field.integer("size_bytes"_L1);
    recording.durationSeconds = field.number("duration_seconds"_L1);
    if (!field.isNull("sha256"_L1)) {
        recording.sha256 = field.string("sha256"_L1).toLower();
        if (field.ok() && !isHexSha256(recording.sha256))
            field.fail("sha256"_L1, "64 hexadecimal digits or null"_L1);
    }
    recording.channels = static_cast<int>(field.integer("channels"_L1));
    if (field.ok() && (recording.channels < 1 || recording.channels > 2))
        field.fail("channels"_L1, "1 or 2"_L1);
    const QString status = field.string("status"_L1);
    const auto parsedStatus = recordingStatusFromString(status);
    if (field.ok() && !parsedStatus)
        field.failWith(u"unknown recording status \"%1\""_s.arg(status));
    if (!field.ok())
        return Expected<Recording>::failure(field.error());
    recording.status = *parsedStatus;
    return recording;
}

} // namespace

bool isHexSha256(QStringView text)
{
    if (text.size() != 64)
        return false;
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
    });
}

Expected<Call> parseCall(const QJsonObject &object)
{
    const QString idForContext = object.value("id"_L1).toString(u"(no id)"_s).left(kMaxIdentifierLength);
    FieldReader field(object, u"call %1"_s.arg(idForContext));
    Call call;
    call.id = field.identifier("id"_L1);

    const QJsonObject lead = field.object("lead"_L1);
    FieldReader leadField(lead, u"lead of call %1"_s.arg(idForContext));
    call.lead = {leadField.identifier("id"_L1), leadField.string("name"_L1), leadField.string("phone"_L1, true)};

    const QJsonObject agent = field.object("agent"_L1);
    FieldReader agentField(agent, u"agent of call %1"_s.arg(idForContext));
    call.agent = {agentField.identifier("id"_L1), agentField.string("name"_L1)};

    std::optional<FieldReader> listField;
    if (!field.isNull("list"_L1)) {
        const QJsonObject list = field.object("list"_L1);
        listField.emplace(list, u"dial list of call %1"_s.arg(idForContext));
        call.list = DialList{listField->identifier("id"_L1), listField->string("name"_L1)};
    }

    const QString direction = field.string("direction"_L1);
    const auto parsedDirection = directionFromString(direction);
    if (field.ok() && !parsedDirection)
        field.fail("direction"_L1, "\"inbound\" or \"outbound\""_L1);
    call.outcome = field.string("outcome"_L1);
    if (field.ok() && call.outcome.isEmpty())
        field.fail("outcome"_L1, "a non-empty string"_L1);
    call.startedAt = field.timestamp("started_at"_L1);
    call.durationSeconds = field.integer("duration_seconds"_L1);
    call.updatedAt = field.string("updated_at"_L1);

    for (const FieldReader *part : {&field, &leadField, &agentField}) {
        if (!part->ok())
            return Expected<Call>::failure(part->error());
    }
    if (listField && !listField->ok())
        return Expected<Call>::failure(listField->error());
    call.direction = *parsedDirection;

    if (!field.isNull("recording"_L1)) {
        const QJsonObject recordingObject = field.object("recording"_L1);
        if (!field.ok())
            return Expected<Call>::failure(field.error());
        auto recording = parseRecording(recordingObject, call.id);
        if (!recording)
            return Expected<Call>::failure(recording.error());
        call.recording = std::move(recording).value();
    }
    return call;
}

Expected<CallsPage> parseCallsPage(const QByteArray &body)
{
    // The common case, quickly; this parser then explains whatever the fast one refused.
    if (auto page = parseCallsPageFast(body))
        return std::move(*page);
    auto root = parseObject(body, "call page"_L1);
    if (!root)
        return Expected<CallsPage>::failure(root.error());
    FieldReader field(*root, u"call page"_s);
    CallsPage page;
    page.nextCursor = field.string("next_cursor"_L1, true);
    page.hasMore = field.boolean("has_more"_L1);
    const QJsonValue data = root->value("data"_L1);
    if (!data.isArray())
        field.fail("data"_L1, "an array"_L1);
    if (field.ok() && page.hasMore && page.nextCursor.isEmpty())
        field.failWith(u"has_more is true but next_cursor is missing"_s);
    if (!field.ok())
        return Expected<CallsPage>::failure(field.error());

    const QJsonArray rows = data.toArray();
    page.calls.reserve(rows.size());
    for (const QJsonValue &row : rows) {
        const QJsonObject object = row.toObject();
        if (object.value("deleted"_L1).toBool()) {
            FieldReader tombstone(object, u"deleted call"_s);
            CallTombstone deleted{tombstone.identifier("id"_L1), tombstone.string("updated_at"_L1)};
            if (!tombstone.ok())
                return Expected<CallsPage>::failure(tombstone.error());
            page.tombstones.append(std::move(deleted));
            continue;
        }
        auto call = parseCall(object);
        if (!call)
            return Expected<CallsPage>::failure(call.error());
        page.calls.append(std::move(call).value());
    }
    return page;
}

Expected<User> parseUser(const QJsonObject &object)
{
    FieldReader field(object, u"user"_s);
    User user{field.identifier("id"_L1), field.string("name"_L1), field.string("email"_L1), field.string("role"_L1)};
    if (!field.ok())
        return Expected<User>::failure(field.error());
    return user;
}

Expected<Session> parseSession(const QByteArray &body)
{
    auto root = parseObject(body, "sign-in answer"_L1);
    if (!root)
        return Expected<Session>::failure(root.error());
    FieldReader field(*root, u"sign-in answer"_s);
    Session session;
    session.accessToken = field.string("access_token"_L1);
    session.refreshToken = field.string("refresh_token"_L1);
    session.expiresInSeconds = field.integer("expires_in"_L1);
    const QJsonObject userObject = field.object("user"_L1);
    if (!field.ok())
        return Expected<Session>::failure(field.error());
    auto user = parseUser(userObject);
    if (!user)
        return Expected<Session>::failure(user.error());
    session.user = std::move(user).value();
    return session;
}

Expected<RecordingLink> parseRecordingLink(const QByteArray &body)
{
    auto root = parseObject(body, "recording link"_L1);
    if (!root)
        return Expected<RecordingLink>::failure(root.error());
    FieldReader field(*root, u"recording link"_s);
    RecordingLink link;
    link.url = QUrl(field.string("recording_url"_L1), QUrl::StrictMode);
    link.expiresInSeconds = field.integer("expires_in"_L1);
    link.expiresAt = field.string("expires_at"_L1, true);
    if (field.ok() && (!link.url.isValid() || link.url.isRelative()
                       || (link.url.scheme() != "https"_L1 && link.url.scheme() != "http"_L1)))
        field.fail("recording_url"_L1, "an absolute http(s) URL"_L1);
    if (!field.ok())
        return Expected<RecordingLink>::failure(field.error());
    return link;
}

Expected<RecordingAvailability> parseRecordingAvailability(const QByteArray &body)
{
    auto root = parseObject(body, "recording availability"_L1);
    if (!root)
        return Expected<RecordingAvailability>::failure(root.error());
    FieldReader field(*root, u"recording availability"_s);
    RecordingAvailability availability;
    availability.available = field.boolean("available"_L1);
    const QString status = field.string("status"_L1);
    const auto parsedStatus = recordingStatusFromString(status);
    if (field.ok() && !parsedStatus)
        field.failWith(u"unknown recording status \"%1\""_s.arg(status));
    availability.url = QUrl(field.string("recording_url"_L1, true), QUrl::StrictMode);
    if (!field.ok())
        return Expected<RecordingAvailability>::failure(field.error());
    availability.status = *parsedStatus;
    return availability;
}

Expected<AuditPolicy> parseAuditPolicy(const QByteArray &body)
{
    auto root = parseObject(body, "audit policy"_L1);
    if (!root)
        return Expected<AuditPolicy>::failure(root.error());
    FieldReader field(*root, u"audit policy"_s);
    AuditPolicy policy;
    policy.requireReason = field.boolean("require_reason"_L1);
    policy.requireServerAckBeforeExport = field.boolean("require_server_ack_before_export"_L1);
    // Absent or null: the server sets no limit, and local copies are kept.
    const QJsonValue retention = root->value("local_retention_days"_L1);
    policy.localRetentionDays = retention.isUndefined() || retention.isNull()
                                    ? 0
                                    : static_cast<int>(std::min<qint64>(field.integer("local_retention_days"_L1), 100'000));
    policy.allowOfflinePlayback = field.boolean("allow_offline_playback"_L1);
    if (!field.ok())
        return Expected<AuditPolicy>::failure(field.error());
    return policy;
}

Expected<AuditUploadAnswer> parseAuditUploadAnswer(const QByteArray &body)
{
    using Result = Expected<AuditUploadAnswer>;
    auto root = parseObject(body, "audit upload answer"_L1);
    if (!root)
        return Result::failure(root.error());
    const QJsonValue accepted = root->value("accepted"_L1);
    const QJsonValue rejected = root->value("rejected"_L1);
    if (!accepted.isArray() || !rejected.isArray())
        return Result::failure(u"the audit upload answer needs \"accepted\" and \"rejected\" arrays"_s);
    AuditUploadAnswer answer;
    for (const QJsonValue &id : accepted.toArray()) {
        if (!id.isString())
            return Result::failure(u"the audit upload answer's \"accepted\" must list event ids"_s);
        answer.accepted.append(id.toString());
    }
    for (const QJsonValue &entry : rejected.toArray()) {
        FieldReader field(entry.toObject(), u"rejected audit event"_s);
        AuditRejection rejection{field.string("event_id"_L1, true), field.string("error"_L1)};
        if (!field.ok())
            return Result::failure(field.error());
        answer.rejected.append(rejection);
    }
    return answer;
}

ApiError parseError(int httpStatus, const QByteArray &body)
{
    ApiError error;
    error.httpStatus = httpStatus;
    const QJsonObject inner = QJsonDocument::fromJson(body).object().value("error"_L1).toObject();
    error.code = inner.value("code"_L1).toString();
    error.message = inner.value("message"_L1).toString().left(500);
    return error;
}

} // namespace apijson
} // namespace earshot
