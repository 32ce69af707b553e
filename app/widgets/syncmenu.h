#pragma once

#include "domain/callfilter.h"

#include <QMenu>

#include <functional>

namespace earshot {

class AgentConnection;
struct AgentStatus;

// The window's "Sync" menu: the person's controls over earshot-sync. Sync now, pause and
// resume downloads, the download speed limit (which the agent remembers), and keeping
// the calls of the current filter offline. Each action is a command to the agent; the
// checks follow what the agent reports, and every refusal is reported with its reason.
class SyncMenu : public QMenu
{
    Q_OBJECT

public:
    using FilterSource = std::function<CallFilter()>;
    using PinnedCheck = std::function<bool(const QString &filterPinTarget)>;
    using Reporter = std::function<void(const QString &message)>;

    SyncMenu(AgentConnection &agent, FilterSource currentFilter, PinnedCheck isPinned, Reporter report,
             QWidget *parent = nullptr);

    // The limit dialog's value, in kB/s (1000 bytes, as the status bar counts).
    static qint64 limitFromKilobytes(int kilobytes) { return qint64(kilobytes) * 1000; }

private:
    void follow(const AgentStatus &status);
    void refreshFilterAction();
    void askForLimit();
    void changeFilterPin(bool keep);

    AgentConnection &m_agent;
    FilterSource m_currentFilter;
    PinnedCheck m_isPinned;
    Reporter m_report;
    QAction *m_syncNow = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_limit = nullptr;
    QAction *m_keepFilter = nullptr;
};

} // namespace earshot
