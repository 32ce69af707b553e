#include "widgets/syncmenu.h"

#include "agent/agentconnection.h"
#include "widgets/callcontextmenu.h"

#include <QDateTime>
#include <QInputDialog>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace earshot {

SyncMenu::SyncMenu(AgentConnection &agent, FilterSource currentFilter, PinnedCheck isPinned, Reporter report,
                   QWidget *parent)
    : QMenu(tr("&Sync"), parent)
    , m_agent(agent)
    , m_currentFilter(std::move(currentFilter))
    , m_isPinned(std::move(isPinned))
    , m_report(std::move(report))
{
    setObjectName(u"syncMenu"_s);
    m_syncNow = addAction(tr("Sync &now"));
    m_syncNow->setObjectName(u"syncNow"_s);
    m_syncNow->setShortcut(QKeySequence::Refresh);
    connect(m_syncNow, &QAction::triggered, this, [this] {
        m_agent.syncNow(this, [this](const Expected<QJsonObject> &answer) {
            if (!answer)
                m_report(tr("earshot-sync cannot sync now: %1").arg(answer.error()));
        });
    });

    m_pause = addAction(tr("&Pause downloads"));
    m_pause->setObjectName(u"pauseDownloads"_s);
    m_pause->setCheckable(true);
    connect(m_pause, &QAction::triggered, this, [this](bool pause) {
        m_agent.setPaused(pause, this, [this, pause](const Expected<QJsonObject> &answer) {
            if (!answer)
                m_report((pause ? tr("earshot-sync did not pause: %1") : tr("earshot-sync did not resume: %1"))
                             .arg(answer.error()));
            follow(m_agent.status());
        });
    });

    m_limit = addAction(tr("Download speed &limit…"));
    m_limit->setObjectName(u"bandwidthLimit"_s);
    connect(m_limit, &QAction::triggered, this, &SyncMenu::askForLimit);

    addSeparator();
    m_keepFilter = addAction(tr("&Keep the calls of this filter offline"));
    m_keepFilter->setObjectName(u"keepFilterOffline"_s);
    m_keepFilter->setCheckable(true);
    connect(m_keepFilter, &QAction::triggered, this, &SyncMenu::changeFilterPin);

    connect(&agent, &AgentConnection::statusChanged, this, &SyncMenu::follow);
    connect(this, &QMenu::aboutToShow, this, &SyncMenu::refreshFilterAction);
    follow(agent.status());
    refreshFilterAction();
}

void SyncMenu::follow(const AgentStatus &status)
{
    const bool reachable = status.state == AgentStatus::State::Connected;
    for (QAction *action : {m_syncNow, m_pause, m_limit})
        action->setEnabled(reachable);
    m_pause->setChecked(status.paused);
    m_limit->setText(status.bandwidthLimit > 0
                         //: %1 is a speed such as 500 kB
                         ? tr("Download speed &limit (%1/s)…")
                               .arg(QLocale().formattedDataSize(status.bandwidthLimit, 0, QLocale::DataSizeSIFormat))
                         : tr("Download speed &limit (none)…"));
    refreshFilterAction();
}

void SyncMenu::refreshFilterAction()
{
    const CallFilter filter = m_currentFilter();
    const bool reachable = m_agent.isConnected();
    // Every call would be a pin of the whole server: the person filters first.
    m_keepFilter->setEnabled(reachable && !filter.isEmpty());
    m_keepFilter->setChecked(!filter.isEmpty() && m_isPinned(AgentConnection::filterPinTarget(filter)));
    m_keepFilter->setToolTip(!reachable        ? tr("earshot-sync is not running.")
                             : filter.isEmpty() ? tr("Choose a filter first: an agent, a list, an outcome, a lead or "
                                                     "dates.")
                                                : QString());
}

void SyncMenu::askForLimit()
{
    const qint64 current = m_agent.status().bandwidthLimit;
    bool accepted = false;
    const int kilobytes = QInputDialog::getInt(
        parentWidget(), tr("Download speed limit"),
        tr("Highest download speed for all recordings together, in kB/s (0 for no limit). Playing a recording "
           "that is not downloaded yet is never held back."),
        static_cast<int>(current / 1000), 0, 10'000'000, 100, &accepted);
    if (!accepted)
        return;
    m_agent.setBandwidthLimit(limitFromKilobytes(kilobytes), this, [this](const Expected<QJsonObject> &answer) {
        if (!answer)
            m_report(tr("earshot-sync kept its speed limit: %1").arg(answer.error()));
    });
}

void SyncMenu::changeFilterPin(bool keep)
{
    const CallFilter filter = m_currentFilter();
    auto done = [this](const Expected<QJsonObject> &answer) { CallContextMenu::reportPinAnswer(answer, m_report); };
    if (keep)
        m_agent.pinFilter(filter,
                          tr("Filter kept offline on %1")
                              .arg(QLocale().toString(QDateTime::currentDateTime(), QLocale::ShortFormat)),
                          this, done);
    else
        m_agent.unpinFilter(filter, this, done);
}

} // namespace earshot
