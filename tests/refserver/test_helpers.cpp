#include "test_helpers.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QUrlQuery>
#include <QtCore/QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot::refserver::tests {

CallWalk walkCalls(RefServer &server, const QString &token, const QString &fromCursor, int limit)
{
    CallWalk walk;
    QString cursor = fromCursor;
    while (true) {
        QUrlQuery query;
        query.addQueryItem(u"limit"_s, QString::number(limit));
        if (!cursor.isEmpty())
            query.addQueryItem(u"updated_since"_s, cursor);
        const HttpResult page = server.api("GET", u"/api/calls?"_s + query.toString(QUrl::FullyEncoded), token);
        if (page.status != 200) {
            walk.error = u"page %1: HTTP %2 %3"_s.arg(walk.pages).arg(page.status).arg(QString::fromUtf8(page.body));
            return walk;
        }
        ++walk.pages;
        const QJsonObject body = page.object();
        const QJsonArray data = body.value("data"_L1).toArray();
        for (const QJsonValue &row : data)
            walk.rows.append(row.toObject());
        cursor = body.value("next_cursor"_L1).toString();
        if (cursor.isEmpty()) {
            walk.error = u"page %1 has no next_cursor"_s.arg(walk.pages);
            return walk;
        }
        if (!body.value("has_more"_L1).toBool())
            break;
    }
    walk.finalCursor = cursor;
    return walk;
}

std::optional<QJsonObject> findCall(RefServer &server, const QString &token,
                                    const std::function<bool(const QJsonObject &)> &predicate)
{
    const CallWalk walk = walkCalls(server, token);
    for (const QJsonObject &row : walk.rows) {
        if (!row.value("deleted"_L1).toBool() && predicate(row))
            return row;
    }
    return std::nullopt;
}

std::optional<QJsonObject> findCallWithRecordingStatus(RefServer &server, const QString &token,
                                                       const QString &status)
{
    return findCall(server, token, [&status](const QJsonObject &call) {
        const QJsonObject recording = call.value("recording"_L1).toObject();
        return recording.value("status"_L1).toString() == status
               && !recording.value("sha256"_L1).isNull();
    });
}

QList<ManifestEntry> readFixtureManifest()
{
    QList<ManifestEntry> entries;
    QFile file(QDir(QStringLiteral(EARSHOT_FIXTURE_RECORDINGS_DIR)).filePath(u"manifest.tsv"_s));
    if (!file.open(QIODevice::ReadOnly))
        return entries;
    while (!file.atEnd()) {
        const QStringList fields = QString::fromUtf8(file.readLine()).trimmed().split(u'\t');
        if (fields.size() != 6 || fields[0] == "file"_L1)
            continue;
        entries.append({fields[0], fields[1], fields[2].toInt(), fields[3].toDouble(), fields[4].toLongLong(),
                        fields[5]});
    }
    return entries;
}

QString sha256Hex(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

namespace {

void appendCanonical(QByteArray &out, const QJsonValue &value)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QStringList keys = object.keys();
        std::sort(keys.begin(), keys.end());
        out += '{';
        for (const QString &key : keys) {
            if (key != keys.constFirst())
                out += ',';
            appendCanonical(out, key);
            out += ':';
            appendCanonical(out, object.value(key));
        }
        out += '}';
    } else if (value.isArray()) {
        out += '[';
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ',';
            appendCanonical(out, array.at(i));
        }
        out += ']';
    } else if (value.isString()) {
        out += '"';
        for (const char c : value.toString().toUtf8()) {
            const auto byte = static_cast<unsigned char>(c);
            switch (byte) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (byte < 0x20)
                    out += "\\u00" + QByteArray::number(byte, 16).rightJustified(2, '0');
                else
                    out += c;
            }
        }
        out += '"';
    } else if (value.isBool()) {
        out += value.toBool() ? "true" : "false";
    } else if (value.isDouble()) {
        out += QByteArray::number(value.toInteger());
    } else {
        out += "null";
    }
}

} // namespace

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    appendCanonical(out, value);
    return out;
}

QJsonObject withHash(QJsonObject event)
{
    event.remove(u"hash"_s);
    event.insert(u"hash"_s, sha256Hex(canonicalJson(event)));
    return event;
}

QJsonObject makeAuditEvent(const QString &type, const QString &userId, const QString &prevHash,
                           const QJsonObject &extra)
{
    QJsonObject event{
        {u"event_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {u"type"_s, type},
        {u"user_id"_s, userId},
        {u"occurred_at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {u"client"_s, QJsonObject{{u"host"_s, u"WS-0042"_s}, {u"os"_s, u"Debian 12"_s}, {u"app_version"_s, u"0.1.0"_s}}},
        {u"prev_hash"_s, prevHash},
    };
    for (auto it = extra.begin(); it != extra.end(); ++it)
        event.insert(it.key(), it.value());
    return withHash(event);
}

} // namespace earshot::refserver::tests
