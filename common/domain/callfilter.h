#pragma once

#include "expected.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace earshot {

// What the call list shows. Every field narrows; an empty field means "any".
struct CallFilter
{
    enum class ListScope { Any, ManualDial, Specific };

    QString leadText{}; // matched against the lead's name and phone, case-insensitively
    QString agentId{};
    ListScope listScope = ListScope::Any;
    QString listId{}; // with ListScope::Specific
    QString outcome{};
    std::optional<QDateTime> startedFrom{};   // inclusive
    std::optional<QDateTime> startedBefore{}; // exclusive

    bool isEmpty() const;
    friend bool operator==(const CallFilter &, const CallFilter &) = default;

    // The saved form (a filter pin's target): only the members that narrow, times in
    // RFC 3339 UTC. fromJson names the member that is wrong.
    QByteArray toJson() const;
    static Expected<CallFilter> fromJson(const QByteArray &json);
};

} // namespace earshot
