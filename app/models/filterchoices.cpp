#include "models/filterchoices.h"

#include "store/callquery.h"

#include <algorithm>

namespace earshot {

FilterChoices FilterChoices::load(const CallQuery &query)
{
    return {query.agents(), query.dialLists(), query.outcomes()};
}

bool operator==(const FilterChoices &a, const FilterChoices &b)
{
    const auto sameAgent = [](const Agent &x, const Agent &y) { return x.id == y.id && x.name == y.name; };
    const auto sameList = [](const DialList &x, const DialList &y) { return x.id == y.id && x.name == y.name; };
    return a.outcomes == b.outcomes
        && std::equal(a.agents.cbegin(), a.agents.cend(), b.agents.cbegin(), b.agents.cend(), sameAgent)
        && std::equal(a.dialLists.cbegin(), a.dialLists.cend(), b.dialLists.cbegin(), b.dialLists.cend(), sameList);
}

} // namespace earshot
