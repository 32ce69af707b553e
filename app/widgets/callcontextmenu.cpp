#include "widgets/callcontextmenu.h"

#include "agent/agentconnection.h"
#include "models/callpresentation.h"

#include <QJsonObject>

namespace earshot {

QString CallContextMenu::pinNotice(const QJsonObject &pinned)
{
    const int tooOld = pinned.value(QLatin1String("older_than_retention")).toInt();
    if (tooOld <= 0)
        return {};
    // Numbers, not words: plural forms wait for the catalogues (translations/).
    return tr("Not kept offline: %1 of %2 recordings, whose calls are older than the %3 days your organisation "
              "allows copies to stay on this computer. They still play while online.")
        .arg(tooOld)
        .arg(pinned.value(QLatin1String("recordings")).toInt())
        .arg(pinned.value(QLatin1String("retention_days")).toInt());
}

void CallContextMenu::reportPinAnswer(const Expected<QJsonObject> &answer,
                                      const std::function<void(const QString &message)> &report)
{
    if (!answer)
        return report(tr("earshot-sync did not change what is kept offline: %1").arg(answer.error()));
    if (const QString notice = pinNotice(*answer); !notice.isEmpty())
        report(notice);
}

CallContextMenu::CallContextMenu(const CallRow &call, const QList<Pin> &pins, AgentConnection &agent,
                                 std::function<void(const QString &message)> report, QWidget *parent)
    : QMenu(parent)
    , m_agent(agent)
    , m_report(std::move(report))
{
    setObjectName(QStringLiteral("callContextMenu"));
    QAction *download = addAction(tr("Download now"));
    download->setObjectName(QStringLiteral("downloadNow"));
    download->setEnabled(call.hasRecording() && call.cacheState != CacheState::Present
                         && call.recordingStatus == RecordingStatus::Available);
    connect(download, &QAction::triggered, this, [this, id = call.recordingId] {
        m_agent.fetchFirst(id, 0, 0, parentWidget(), [report = m_report](const Expected<QJsonObject> &answer) {
            if (!answer)
                report(tr("Cannot download the recording now: %1").arg(answer.error()));
        });
    });

    QMenu *keep = addMenu(tr("Keep offline"));
    keep->setObjectName(QStringLiteral("keepOffline"));
    addPinAction(keep, Pin::Kind::Call, call.id, tr("This call"), pins);
    addPinAction(keep, Pin::Kind::Lead, call.leadId, tr("All calls with %1").arg(call.leadName), pins);
    addPinAction(keep, Pin::Kind::Agent, call.agentId, tr("All calls by %1").arg(call.agentName), pins);
    addPinAction(keep, Pin::Kind::List, call.listId, tr("All calls from %1").arg(presentation::dialListText(call)),
                 pins);
    const bool reachable = agent.isConnected();
    download->setEnabled(download->isEnabled() && reachable);
    keep->setEnabled(reachable);
    if (!reachable)
        keep->setToolTip(tr("earshot-sync is not running."));
}

void CallContextMenu::addPinAction(QMenu *menu, Pin::Kind kind, const QString &target, const QString &text,
                                   const QList<Pin> &pins)
{
    QAction *action = menu->addAction(text);
    action->setObjectName(QStringLiteral("pin-") + pinKindName(kind));
    action->setCheckable(true);
    action->setChecked(std::any_of(pins.cbegin(), pins.cend(),
                                   [&](const Pin &pin) { return pin.kind == kind && pin.target == target; }));
    connect(action, &QAction::triggered, this, [this, kind, target](bool checked) {
        auto done = [report = m_report](const Expected<QJsonObject> &answer) { reportPinAnswer(answer, report); };
        if (checked)
            m_agent.pin(pinKindName(kind), target, parentWidget(), done);
        else
            m_agent.unpin(pinKindName(kind), target, parentWidget(), done);
    });
}

} // namespace earshot
