#include "faults.h"

#include <QtCore/QJsonValue>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

FaultInjector::FaultInjector(FaultSettings settings, quint64 seed)
    : m_settings(settings), m_prng(seed ^ 0xfa017fa017fa017fULL)
{
}

bool FaultInjector::update(const QJsonObject &changes, QString *error)
{
    FaultSettings next = m_settings;
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const QJsonValue value = it.value();
        const QString &key = it.key();
        if (key == "drop_body_after"_L1 && value.isNull()) {
            next.dropBodyAfter = -1;
            continue;
        }
        if (!value.isDouble()) {
            *error = u"%1 must be a number"_s.arg(key);
            return false;
        }
        const double number = value.toDouble();
        if (key == "latency_ms"_L1 && number >= 0 && number <= 600'000) {
            next.latencyMs = static_cast<int>(number);
        } else if (key == "error_rate"_L1 && number >= 0 && number <= 1) {
            next.errorRate = number;
        } else if (key == "drop_body_after"_L1) {
            next.dropBodyAfter = number < 0 ? -1 : static_cast<qint64>(number);
        } else if (key == "url_lifetime"_L1 && number >= 1 && number <= 7 * 86400) {
            next.urlLifetimeSeconds = static_cast<int>(number);
        } else if (key == "claimed_url_lifetime"_L1 && number >= 0 && number <= 7 * 86400) {
            next.claimedUrlLifetimeSeconds = static_cast<int>(number);
        } else {
            *error = u"unknown fault or value out of range: %1"_s.arg(key);
            return false;
        }
    }
    m_settings = next;
    return true;
}

QJsonObject FaultInjector::toJson() const
{
    return {
        {u"latency_ms"_s, m_settings.latencyMs},
        {u"error_rate"_s, m_settings.errorRate},
        {u"drop_body_after"_s, m_settings.dropBodyAfter < 0 ? QJsonValue(QJsonValue::Null)
                                                              : QJsonValue(m_settings.dropBodyAfter)},
        {u"url_lifetime"_s, m_settings.urlLifetimeSeconds},
        {u"claimed_url_lifetime"_s, m_settings.claimedUrlLifetimeSeconds},
    };
}

bool FaultInjector::shouldInjectError()
{
    if (m_settings.errorRate <= 0)
        return false;
    if (m_settings.errorRate >= 1)
        return true;
    return m_prng.chance(m_settings.errorRate);
}

} // namespace earshot::refserver
