#include "api/callspagefast.h"

#include "api/apijson.h"

#include <QVarLengthArray>

#include <simdjson.h>

#include <string_view>

namespace earshot::apijson {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Integers a double holds exactly: beyond them QJsonValue's double would round, and the
// full parser decides.
constexpr int64_t kExactIntegerLimit = int64_t{1} << 53;

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

    QString string(std::string_view key, bool optional = false)
    {
        const auto value = find(key);
        std::string_view text;
        if (!value)
            m_ok = m_ok && optional;
        else if (value->get_string().get(text) != simdjson::SUCCESS)
            m_ok = false;
        return m_ok ? QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())) : QString();
    }

    QString identifier(std::string_view key)
    {
        QString value = string(key);
        if (value.isEmpty() || value.size() > kMaxIdentifierLength)
            m_ok = false;
        return value;
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
        const QString text = string(key);
        if (!m_ok)
            return {};
        QDateTime time = quickUtcTime(text);
        if (!time.isValid())
            time = QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
        if (!time.isValid())
            m_ok = false;
        return time;
    }

private:
    static QDateTime quickUtcTime(QStringView text)
    {
        const auto size = text.size();
        if ((size != 20 && size != 24) || text[4] != u'-' || text[7] != u'-' || text[10] != u'T' || text[13] != u':'
            || text[16] != u':' || text[size - 1] != u'Z' || (size == 24 && text[19] != u'.'))
            return {};
        const auto digits = [&text](qsizetype from, qsizetype count) {
            int value = 0;
            for (qsizetype i = from; i < from + count; ++i) {
                if (text[i] < u'0' || text[i] > u'9')
                    return -1;
                value = value * 10 + (text[i].unicode() - u'0');
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

std::optional<Recording> readRecording(const object &fields)
{
    FastFields field(fields);
    Recording recording;
    recording.id = field.identifier("id");
    recording.format = field.string("format").toLower();
    recording.sizeBytes = field.integer("size_bytes");
    recording.durationSeconds = field.number("duration_seconds");
    if (field.find("sha256")) {
        recording.sha256 = field.string("sha256").toLower();
        if (!isHexSha256(recording.sha256))
            field.reject();
    }
    const qint64 channels = field.integer("channels");
    recording.channels = channels == 2 ? 2 : 1;
    const auto status = recordingStatusFromString(field.string("status"));
    if (!field.ok() || channels < 1 || channels > 2 || !status)
        return std::nullopt;
    recording.status = *status;
    return recording;
}

std::optional<Call> readCall(FastFields &field)
{
    Call call;
    call.id = field.identifier("id");
    const auto lead = field.child("lead");
    const auto agent = field.child("agent");
    if (!lead || !agent)
        return std::nullopt;
    FastFields leadField(*lead), agentField(*agent);
    call.lead = {leadField.identifier("id"), leadField.string("name"), leadField.string("phone", true)};
    call.agent = {agentField.identifier("id"), agentField.string("name")};
    if (const auto list = field.child("list")) {
        FastFields listField(*list);
        call.list = DialList{listField.identifier("id"), listField.string("name")};
        if (!listField.ok())
            return std::nullopt;
    }
    const auto direction = directionFromString(field.string("direction"));
    call.outcome = field.string("outcome");
    call.startedAt = field.timestamp("started_at");
    call.durationSeconds = field.integer("duration_seconds");
    call.updatedAt = field.string("updated_at");
    if (!field.ok() || !leadField.ok() || !agentField.ok() || !direction || call.outcome.isEmpty())
        return std::nullopt;
    call.direction = *direction;
    if (const auto recordingFields = field.child("recording")) {
        auto recording = readRecording(*recordingFields);
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
        auto call = readCall(rowField);
        if (!call)
            return std::nullopt;
        page.calls.append(std::move(*call));
    }
    return page;
}

} // namespace earshot::apijson
