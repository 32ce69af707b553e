#include "store/pinstore.h"

#include "store/writetransaction.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr std::array kKindNames{
    std::pair{Pin::Kind::Call, "call"}, std::pair{Pin::Kind::Lead, "lead"}, std::pair{Pin::Kind::Agent, "agent"},
    std::pair{Pin::Kind::List, "list"}, std::pair{Pin::Kind::Filter, "filter"},
};

Status runInTransaction(QSqlDatabase db, QSqlQuery &query, const QString &what)
{
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return Status::failure(u"cannot %1: %2"_s.arg(what, transaction.beginError()));
    if (!query.exec())
        return Status::failure(u"cannot %1: %2"_s.arg(what, query.lastError().text()));
    return transaction.commit();
}

} // namespace

QString pinKindName(Pin::Kind kind)
{
    for (const auto &[value, name] : kKindNames) {
        if (value == kind)
            return QString::fromLatin1(name);
    }
    return {};
}

std::optional<Pin::Kind> pinKindFromName(const QString &name)
{
    for (const auto &[value, kindName] : kKindNames) {
        if (name == QLatin1StringView(kindName))
            return value;
    }
    return std::nullopt;
}

Status PinStore::pin(const Pin &pin)
{
    QSqlQuery query(m_db);
    query.prepare(u"INSERT INTO pins(kind, target, label, created_at) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(kind, target) DO UPDATE SET label = excluded.label"_s);
    // A null QString binds as SQL NULL; Manual Dial's target and a missing label are ''.
    query.addBindValue(pinKindName(pin.kind));
    query.addBindValue(pin.target.isNull() ? u""_s : pin.target);
    query.addBindValue(pin.label.isNull() ? u""_s : pin.label);
    query.addBindValue(pin.createdAtMs > 0 ? pin.createdAtMs : QDateTime::currentMSecsSinceEpoch());
    return runInTransaction(m_db, query, u"keep %1 %2 offline"_s.arg(pinKindName(pin.kind), pin.target));
}

Status PinStore::unpin(Pin::Kind kind, const QString &target)
{
    QSqlQuery query(m_db);
    query.prepare(u"DELETE FROM pins WHERE kind = ? AND target = ?"_s);
    query.addBindValue(pinKindName(kind));
    query.addBindValue(target.isNull() ? u""_s : target);
    return runInTransaction(m_db, query, u"stop keeping %1 %2 offline"_s.arg(pinKindName(kind), target));
}

Expected<QList<Pin>> PinStore::pins() const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT kind, target, label, created_at FROM pins ORDER BY id"_s))
        return Expected<QList<Pin>>::failure(u"cannot read the pins: %1"_s.arg(query.lastError().text()));
    QList<Pin> result;
    while (query.next()) {
        const auto kind = pinKindFromName(query.value(0).toString());
        if (!kind)
            continue; // the CHECK constraint makes this unreachable short of a hand-edited store
        result.append(Pin{*kind, query.value(1).toString(), query.value(2).toString(), query.value(3).toLongLong()});
    }
    return result;
}

} // namespace earshot
