#include "audit/canonicaljson.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace earshot {

namespace {

void appendString(QByteArray &out, const QString &text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.append('"');
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\t': out.append("\\t"); break;
        case '\n': out.append("\\n"); break;
        case '\f': out.append("\\f"); break;
        case '\r': out.append("\\r"); break;
        default:
            if (byte < 0x20) {
                out.append("\\u00");
                out.append(kHex[byte >> 4]);
                out.append(kHex[byte & 0x0f]);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double:
        // Events carry integers only; anything else is written as its integer part
        // and would fail the server's check, which is the point.
        out.append(QByteArray::number(value.toInteger()));
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out.append('[');
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out.append(',');
            appendValue(out, array.at(i));
        }
        out.append(']');
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QStringList keys = object.keys();
        // UTF-16 code unit order, as RFC 8785 asks; QString's operator< compares code units.
        std::sort(keys.begin(), keys.end());
        out.append('{');
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (i > 0)
                out.append(',');
            appendString(out, keys.at(i));
            out.append(':');
            appendValue(out, object.value(keys.at(i)));
        }
        out.append('}');
        break;
    }
    }
}

} // namespace

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

} // namespace earshot
