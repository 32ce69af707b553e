#include "api/callspagefast.h"

#include "api/apijson.h"

#include <QVarLengthArray>

#include <simdjson.h>

#include <string_view>
#include <unordered_map>

namespace earshot::apijson {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Integers a double holds exactly: beyond them QJsonValue's double would round, and the
// full parser decides.
constexpr int64_t kExactIntegerLimit = int64_t{1} << 53;

// The QStrings of values a page repeats (agents, lists, outcomes, formats, directions,
// statuses): one each per page, shared by every call that names it, where a QString per
// call and field made the fetcher's thread spend more in malloc and free than in parsing.
// The keys point into the parsed page, so a cache lives no longer than one page's parse.
class RepeatedStrings
{
public:
    QString get(std::string_view text)
    {
        if (const auto known = m_strings.find(text); known != m_strings.end())
            return known->second;
        QString value = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
        // Past the first kMaxStrings distinct values, each further one gets a QString per
        // call again: a page with thousands of outcomes costs what it did, not a big map.
        if (m_strings.size() < kMaxStrings)
            m_strings.emplace(text, value);
        return value;
    }

private:
    static constexpr size_t kMaxStrings = 256;
    std::unordered_map<std::string_view, QString> m_strings;
};

// Reads fields of one object; the first field that is not plainly what the contract
// asks for makes the whole page go to the full parser.
class FastFields
{
public:
    // One pass over the object's fields up front. simdjson's at_key() scans the fields from
    // the first for every lookup: a dozen lookups a call were 0.4 s of a million calls.
    // An object that names a field twice goes to the full parser, which decides the
    // value, so that both parsers always read the same one.
    explicit FastFields(const object &fields)
    {
        for (const auto field : fields) {
            const std::string_view key = field.key;
            for (const auto &[seen, unused] : m_fields) {
                if (seen == key)
                    m_ok = false;
            }
            m_fields.push_back({key, field.value});
        }
    }

    bool ok() const { return m_ok; }
    void reject() { m_ok = false; }

    // Missing and null are both "no value", as QJsonObject::value() sees them.
    std::optional<element> find(std::string_view key) const
    {
        for (const auto &[name, value] : m_fields) {
            if (name == key)
                return value.is_null() ? std::nullopt : std::optional<element>(value);
        }
        return std::nullopt;
    }

    // The UTF-8 text of a string field; empty when it is missing (then not ok unless
    // optional) or not a string.
    std::string_view text(std::string_view key, bool optional = false)
    {
        const auto value = find(key);
        std::string_view text;
        if (!value)
            m_ok = m_ok && optional;
        else if (value->get_string().get(text) != simdjson::SUCCESS)
            m_ok = false;
        return m_ok ? text : std::string_view();
    }

    QString string(std::string_view key, bool optional = false)
    {
        const std::string_view utf8 = text(key, optional);
        return QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size()));
    }

    // A value many calls of a page share.
    QString repeated(std::string_view key, RepeatedStrings &strings)
    {
        const std::string_view utf8 = text(key);
        return m_ok ? strings.get(utf8) : QString();
    }

    QString identifier(std::string_view key) { return checkedIdentifier(string(key)); }
    QString repeatedIdentifier(std::string_view key, RepeatedStrings &strings)
    {
        return checkedIdentifier(repeated(key, strings));
    }

    qint64 integer(std::string_view key)
    {
        const auto value = find(key);
        int64_t number = -1;
        if (!value || value->type() != element_type::INT64 || value->get_int64().get(number) != simdjson::SUCCESS
            || number < 0 || number > kExactIntegerLimit)
            m_ok = false;
        return number;
    }

    double number(std::string_view key)
    {
        const auto value = find(key);
        double number = -1;
        if (!value || !value->is_number() || value->get_double().get(number) != simdjson::SUCCESS || !(number >= 0))
            m_ok = false;
        return number;
    }

    std::optional<object> child(std::string_view key)
    {
        const auto value = find(key);
        object fields;
        if (!value)
            return std::nullopt;
        if (value->get_object().get(fields) != simdjson::SUCCESS) {
            m_ok = false;
            return std::nullopt;
        }
        return fields;
    }

    // The exact forms servers write, "2026-01-31T12:34:56Z" and "…56.789Z"; any other
    // text goes to QDateTime, which is what the full parser uses.
    QDateTime timestamp(std::string_view key)
    {
        const std::string_view utf8 = text(key);
        if (!m_ok)
            return {};
        QDateTime time = quickUtcTime(utf8);
        if (!time.isValid())
            time = QDateTime::fromString(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size())),
                                         Qt::ISODateWithMs)
                       .toUTC();
        if (!time.isValid())
            m_ok = false;
        return time;
    }

private:
    QString checkedIdentifier(QString value)
    {
        if (value.isEmpty() || value.size() > kMaxIdentifierLength)
            m_ok = false;
        return value;
    }

    static QDateTime quickUtcTime(std::string_view text)
    {
        const auto size = text.size();
        if ((size != 20 && size != 24) || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':'
            || text[16] != ':' || text[size - 1] != 'Z' || (size == 24 && text[19] != '.'))
            return {};
        const auto digits = [&text](size_t from, size_t count) {
            int value = 0;
            for (size_t i = from; i < from + count; ++i) {
                if (text[i] < '0' || text[i] > '9')
                    return -1;
                value = value * 10 + (text[i] - '0');
            }
            return value;
        };
        const int milliseconds = size == 24 ? digits(20, 3) : 0;
        const QDate date(digits(0, 4), digits(5, 2), digits(8, 2));
        const QTime time(digits(11, 2), digits(14, 2), digits(17, 2), milliseconds);
        if (milliseconds < 0 || !date.isValid() || !time.isValid())
            return {};
        return QDateTime(date, time, Qt::UTC);
    }

    // Contracts objects have up to 10 fields; more are kept on the heap.
    QVarLengthArray<std::pair<std::string_view, element>, 12> m_fields;
    bool m_ok = true;
};

std::optional<Recording> readRecording(const object &fields, RepeatedStrings &repeated)
{
    FastFields field(fields);
    Recording recording;
    recording.id = field.identifier("id");
    recording.format = field.repeated("format", repeated).toLower();
    recording.sizeBytes = field.integer("size_bytes");
    recording.durationSeconds = field.number("duration_seconds");
    if (field.find("sha256")) {
        recording.sha256 = field.string("sha256").toLower();
        if (!isHexSha256(recording.sha256))
            field.reject();
    }
    const qint64 channels = field.integer("channels");
    recording.channels = channels == 2 ? 2 : 1;
    const auto status = recordingStatusFromString(field.repeated("status", repeated));
    if (!field.ok() || channels < 1 || channels > 2 || !status)
        return std::nullopt;
    recording.status = *status;
    return recording;
}

std::optional<Call> readCall(FastFields &field, RepeatedStrings &repeated)
{
    Call call;
    call.id = field.identifier("id");
    const auto lead = field.child("lead");
    const auto agent = field.child("agent");
    if (!lead || !agent)
        return std::nullopt;
    FastFields leadField(*lead), agentField(*agent);
    call.lead = {leadField.identifier("id"), leadField.string("name"), leadField.string("phone", true)};
    call.agent = {agentField.repeatedIdentifier("id", repeated), agentField.repeated("name", repeated)};
    if (const auto list = field.child("list")) {
        FastFields listField(*list);
        call.list = DialList{listField.repeatedIdentifier("id", repeated), listField.repeated("name", repeated)};
        if (!listField.ok())
            return std::nullopt;
    }
    const auto direction = directionFromString(field.repeated("direction", repeated));
    call.outcome = field.repeated("outcome", repeated);
    call.startedAt = field.timestamp("started_at");
    call.durationSeconds = field.integer("duration_seconds");
    call.updatedAt = field.string("updated_at");
    if (!field.ok() || !leadField.ok() || !agentField.ok() || !direction || call.outcome.isEmpty())
        return std::nullopt;
    call.direction = *direction;
    if (const auto recordingFields = field.child("recording")) {
        auto recording = readRecording(*recordingFields, repeated);
        if (!recording)
            return std::nullopt;
        call.recording = std::move(recording);
    } else if (!field.ok()) {
        return std::nullopt;
    }
    return call;
}

} // namespace

std::optional<CallsPage> parseCallsPageFast(const QByteArray &body)
{
    // One parser per thread keeps its buffers from page to page.
    thread_local simdjson::dom::parser parser;
    object root;
    if (parser.parse(body.constData(), static_cast<size_t>(body.size())).get(root) != simdjson::SUCCESS)
        return std::nullopt;
    FastFields field(root);
    CallsPage page;
    page.nextCursor = field.string("next_cursor", true);
    bool hasMore = false;
    const auto more = field.find("has_more");
    if (!more || more->get_bool().get(hasMore) != simdjson::SUCCESS)
        return std::nullopt;
    page.hasMore = hasMore;
    simdjson::dom::array rows;
    const auto data = field.find("data");
    if (!field.ok() || !data || data->get_array().get(rows) != simdjson::SUCCESS
        || (page.hasMore && page.nextCursor.isEmpty()))
        return std::nullopt;

    page.calls.reserve(static_cast<qsizetype>(rows.size()));
    RepeatedStrings repeated;
    for (const element row : rows) {
        object fields;
        if (row.get_object().get(fields) != simdjson::SUCCESS)
            return std::nullopt;
        FastFields rowField(fields);
        bool deleted = false;
        if (const auto flag = rowField.find("deleted");
            flag && flag->get_bool().get(deleted) != simdjson::SUCCESS)
            return std::nullopt;
        if (deleted) {
            CallTombstone tombstone{rowField.identifier("id"), rowField.string("updated_at")};
            if (!rowField.ok())
                return std::nullopt;
            page.tombstones.append(std::move(tombstone));
            continue;
        }
        auto call = readCall(rowField, repeated);
        if (!call)
            return std::nullopt;
        page.calls.append(std::move(*call));
    }
    return page;
}

} // namespace earshot::apijson
