#pragma once

#include <QMainWindow>

class QLabel;
class QModelIndex;

namespace earshot {

class AgentConnection;
class CallTableModel;
class CallTableView;
class FilterBar;
class PlaybackEngine;
class PlayerBar;
class RecordingOpener;
class StoreSession;
struct CallFilter;
struct Pin;
struct CallRow;

// The filter bar, the call table and the player, over a StoreSession, a PlaybackEngine,
// a RecordingOpener and an AgentConnection that the caller owns and that outlive the
// window. Choosing a call plays its recording, from the cache or streamed through the
// agent; a call that cannot play says why. The status bar shows the agent's state.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(StoreSession &session, PlaybackEngine &engine, RecordingOpener &opener, AgentConnection &agent,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    // Whether the window keeps its size and column widths in QSettings (on by
    // default; the screenshot mode leaves the person's layout alone).
    void setRemembersLayout(bool remember) { m_remembersLayout = remember; }

    // Makes `row` of the call model the current call, as a click would.
    void selectRow(int row);
    // The call the player has loaded or explains, or empty.
    const QString &shownCallId() const { return m_shownCallId; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void onFilterChanged(const CallFilter &filter);
    void onCurrentRowChanged(const QModelIndex &current);
    void onRowsChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);
    void showCall(const CallRow &call, bool startPlaying);
    void showContextMenu(const QPoint &position);
    QList<Pin> committedPins() const;
    // A message for a while in the status bar: a refusal, a read error, a pin's notice.
    void showNotice(const QString &message);
    void updateCountLabel();
    void updateSyncLabel();
    void updatePlaceholder();
    void restoreLayout();
    void saveLayout() const;

    StoreSession &m_session;
    PlaybackEngine &m_engine;
    RecordingOpener &m_opener;
    AgentConnection &m_agent;
    CallTableModel *m_model = nullptr;
    FilterBar *m_filterBar = nullptr;
    CallTableView *m_table = nullptr;
    PlayerBar *m_playerBar = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_syncLabel = nullptr;
    QString m_shownCallId;
    bool m_shownCallLoaded = false;
    bool m_remembersLayout = true;
};

} // namespace earshot
