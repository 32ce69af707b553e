#include "widgets/agentstatuslabel.h"

#include "agent/agentconnection.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace earshot {

AgentStatusLabel::AgentStatusLabel(AgentConnection &agent, QWidget *parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("agentStatus"));
    connect(&agent, &AgentConnection::statusChanged, this, &AgentStatusLabel::update);
    update(agent.status());
}

QString AgentStatusLabel::textFor(const AgentStatus &status)
{
    if (status.authRequired)
        return tr("Sign in again: the server ended the session (earshot-sync login)");
    switch (status.state) {
    case AgentStatus::State::Connecting:
        return tr("Connecting to earshot-sync…");
    case AgentStatus::State::Offline:
        // "Offline" is the server's state; here it is the agent that cannot be reached.
        return status.lastError.isEmpty() ? tr("earshot-sync is not running.") : status.lastError;
    case AgentStatus::State::Connected:
        break;
    }
    if (status.paused)
        return tr("Downloads paused · Sync ▸ Pause downloads resumes them");
    if (status.serverUnreachable)
        return tr("Offline: the server cannot be reached · recordings on this computer still play");
    QString text;
    if (status.isSyncing()) {
        const QString speed = QLocale().formattedDataSize(status.bytesPerSecond, 1, QLocale::DataSizeSIFormat);
        // Explicit singular and plural until the translations (with their plural rules) land.
        //: %1 is a number of recordings, %2 a speed such as 1.2 MB
        const QString count = QLocale().toString(status.queueLength) + (status.moreDue ? u"+"_s : QString());
        text = status.queueLength == 1 && !status.moreDue ? tr("Downloading 1 recording · %1/s").arg(speed)
                                                          : tr("Downloading %1 recordings · %2/s").arg(count, speed);
    } else {
        text = tr("earshot-sync connected");
    }
    // The last error itself is in the tooltip and, shortened, in the sync status beside.
    return text;
}

void AgentStatusLabel::update(const AgentStatus &status)
{
    setText(textFor(status));
    setToolTip(status.lastError);
}

} // namespace earshot
