#pragma once

#include "domain/call.h"

#include <QList>
#include <QStringList>

namespace earshot {

class CallQuery;

// What the filter controls offer: the agents, dial lists and outcomes the store knows.
struct FilterChoices
{
    QList<Agent> agents;
    QList<DialList> dialLists;
    QStringList outcomes; // as the server sends them

    static FilterChoices load(const CallQuery &query);
    friend bool operator==(const FilterChoices &, const FilterChoices &);
};

} // namespace earshot
