#include "canonical_json.h"

#include "json_out.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include <algorithm>
#include <cmath>

namespace earshot::refserver {

namespace {

void append(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        return;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        return;
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (std::trunc(number) == number && std::fabs(number) < 9007199254740992.0)
            json::appendInt(out, static_cast<qint64>(number));
        else
            json::appendDouble(out, number);
        return;
    }
    case QJsonValue::String:
        json::appendString(out, value.toString());
        return;
    case QJsonValue::Array: {
        out.append('[');
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i)
                out.append(',');
            append(out, array.at(i));
        }
        out.append(']');
        return;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QStringList keys = object.keys();
        std::sort(keys.begin(), keys.end()); // QString orders by UTF-16 code units
        out.append('{');
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (i)
                out.append(',');
            json::appendString(out, keys[i]);
            out.append(':');
            append(out, object.value(keys[i]));
        }
        out.append('}');
        return;
    }
    }
}

} // namespace

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    append(out, value);
    return out;
}

} // namespace earshot::refserver
