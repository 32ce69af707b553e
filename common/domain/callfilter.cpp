#include "callfilter.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr auto kLeadText = "lead_text"_L1;
constexpr auto kAgentId = "agent_id"_L1;
constexpr auto kList = "list"_L1; // "manual_dial", or {"id": ...}
constexpr auto kOutcome = "outcome"_L1;
constexpr auto kStartedFrom = "started_from"_L1;
constexpr auto kStartedBefore = "started_before"_L1;

} // namespace

bool CallFilter::isEmpty() const
{
    return *this == CallFilter{};
}

QByteArray CallFilter::toJson() const
{
    QJsonObject object;
    if (!leadText.isEmpty())
        object.insert(kLeadText, leadText);
    if (!agentId.isEmpty())
        object.insert(kAgentId, agentId);
    if (listScope == ListScope::ManualDial)
        object.insert(kList, u"manual_dial"_s);
    else if (listScope == ListScope::Specific)
        object.insert(kList, QJsonObject{{u"id"_s, listId}});
    if (!outcome.isEmpty())
        object.insert(kOutcome, outcome);
    if (startedFrom)
        object.insert(kStartedFrom, startedFrom->toUTC().toString(Qt::ISODateWithMs));
    if (startedBefore)
        object.insert(kStartedBefore, startedBefore->toUTC().toString(Qt::ISODateWithMs));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

Expected<CallFilter> CallFilter::fromJson(const QByteArray &json)
{
    using Result = Expected<CallFilter>;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject())
        return Result::failure(u"a saved filter must be a JSON object (%1)"_s.arg(parseError.errorString()));
    const QJsonObject object = document.object();
    CallFilter filter;
    const auto text = [&object](QLatin1StringView key, QString &out) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return true;
        out = value.toString();
        return value.isString();
    };
    const auto time = [&object](QLatin1StringView key, std::optional<QDateTime> &out) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return true;
        const QDateTime parsed = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        if (!parsed.isValid())
            return false;
        out = parsed.toUTC();
        return true;
    };
    for (const auto &[key, out] : {std::pair{kLeadText, &filter.leadText}, std::pair{kAgentId, &filter.agentId},
                                   std::pair{kOutcome, &filter.outcome}}) {
        if (!text(key, *out))
            return Result::failure(u"the saved filter's \"%1\" must be a string"_s.arg(key));
    }
    for (const auto &[key, out] : {std::pair{kStartedFrom, &filter.startedFrom},
                                   std::pair{kStartedBefore, &filter.startedBefore}}) {
        if (!time(key, *out))
            return Result::failure(u"the saved filter's \"%1\" must be an RFC 3339 time"_s.arg(key));
    }
    const QJsonValue list = object.value(kList);
    if (list == QJsonValue(u"manual_dial"_s)) {
        filter.listScope = ListScope::ManualDial;
    } else if (list.isObject() && list.toObject().value("id"_L1).isString()) {
        filter.listScope = ListScope::Specific;
        filter.listId = list.toObject().value("id"_L1).toString();
    } else if (!list.isUndefined()) {
        return Result::failure(u"the saved filter's \"list\" must be \"manual_dial\" or {\"id\": \"...\"}"_s);
    }
    return filter;
}

} // namespace earshot
