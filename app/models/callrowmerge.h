#pragma once

#include "store/callquery.h"

#include <QList>

namespace earshot {

// The list order: newest first, ties broken by id, as CallQuery::fetchPage pages it.
bool comesBefore(const CallRow &a, const CallRow &b);
bool sameContent(const CallRow &a, const CallRow &b);

// One step that turns the rows a model shows into freshly read rows. Steps apply in
// order; `row` counts in the list as the earlier steps have left it, `freshIndex` points
// into the fresh rows.
struct RowMergeStep
{
    enum class Kind { Insert, Remove, Update };
    Kind kind = Kind::Update;
    int row = 0;
    int count = 0;
    int freshIndex = 0;

    friend bool operator==(const RowMergeStep &, const RowMergeStep &) = default;
};

// Plans the fewest contiguous inserts, removals and updates that turn `current` into
// `fresh` (both in list order), so that a view keeps its selection and scroll position
// instead of starting over. Rows are matched by (started_at, id). Applying the steps
// always yields exactly `fresh`.
QList<RowMergeStep> planRowMerge(const QList<CallRow> &current, const QList<CallRow> &fresh);

} // namespace earshot
