#pragma once

#include "expected.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace earshot {

// What the user keeps offline ("keep offline"): every recording of a call, a lead, an
// agent, a dial list ('' is Manual Dial) or of a saved filter (target: the filter as JSON).
struct Pin
{
    enum class Kind { Call, Lead, Agent, List, Filter };

    Kind kind = Kind::Call;
    QString target;
    QString label; // for people: the lead's name, the filter's title
    qint64 createdAtMs = 0;

    friend bool operator==(const Pin &, const Pin &) = default;
};

QString pinKindName(Pin::Kind kind);                   // "call", "lead", ...
std::optional<Pin::Kind> pinKindFromName(const QString &name);

// The pins table. Writes open their own BEGIN IMMEDIATE transaction: the agent applies
// pin commands from the app, and the rows say what eviction must keep.
class PinStore
{
public:
    explicit PinStore(QSqlDatabase db) : m_db(std::move(db)) {}

    // Pinning what is pinned already updates its label.
    Status pin(const Pin &pin);
    // Unpinning what is not pinned is not an error.
    Status unpin(Pin::Kind kind, const QString &target);
    Expected<QList<Pin>> pins() const;

private:
    QSqlDatabase m_db;
};

} // namespace earshot
