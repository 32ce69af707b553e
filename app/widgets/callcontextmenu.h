#pragma once

#include "store/callquery.h"
#include "store/pinstore.h"

#include <QMenu>

#include <functional>

namespace earshot {

class AgentConnection;

// The call table's context menu: "Download now" (fetch_first) and "Keep offline" for the
// call, its lead, its agent or its dial list (pin / unpin, ticked when pinned). The agent
// does the work; a refusal, or what a pin cannot keep, is reported through `report`.
class CallContextMenu : public QMenu
{
    Q_OBJECT

public:
    CallContextMenu(const CallRow &call, const QList<Pin> &pins, AgentConnection &agent,
                    std::function<void(const QString &message)> report, QWidget *parent = nullptr);

    // What to tell the user once the agent pinned: the recordings it will not keep because
    // their calls are older than the organisation's retention period; empty when none.
    static QString pinNotice(const QJsonObject &pinned);
    // Tells the user what a pin or unpin answer means: the refusal with its reason, or the
    // pinNotice(); nothing when there is nothing to say.
    static void reportPinAnswer(const Expected<QJsonObject> &answer,
                                const std::function<void(const QString &message)> &report);

private:
    void addPinAction(QMenu *menu, Pin::Kind kind, const QString &target, const QString &text,
                      const QList<Pin> &pins);

    AgentConnection &m_agent;
    std::function<void(const QString &)> m_report;
};

} // namespace earshot
