#pragma once

#include <QLabel>

namespace earshot {

class AgentConnection;
struct AgentStatus;

// The status bar's word on earshot-sync: connected, syncing (queue and speed), offline
// (the server out of reach), "Sign in again", or why the agent cannot be reached; its last
// error in the tooltip. A view of AgentConnection::status(), nothing more.
class AgentStatusLabel : public QLabel
{
    Q_OBJECT

public:
    explicit AgentStatusLabel(AgentConnection &agent, QWidget *parent = nullptr);

    static QString textFor(const AgentStatus &status);

private:
    void update(const AgentStatus &status);
};

} // namespace earshot
