#include "models/callrowmerge.h"

namespace earshot {

bool comesBefore(const CallRow &a, const CallRow &b)
{
    // SQLite orders ids by UTF-8 bytes and QString by UTF-16 units; they differ only
    // past U+FFFF, which costs a needless remove and insert at worst, never a wrong list.
    if (a.startedAtMs != b.startedAtMs)
        return a.startedAtMs > b.startedAtMs;
    return a.id > b.id;
}

bool sameContent(const CallRow &a, const CallRow &b)
{
    return a == b; // every field shows somewhere, in a cell or a tool tip
}

QList<RowMergeStep> planRowMerge(const QList<CallRow> &current, const QList<CallRow> &fresh)
{
    using Kind = RowMergeStep::Kind;
    QList<RowMergeStep> steps;
    const auto currentSize = static_cast<int>(current.size());
    const auto freshSize = static_cast<int>(fresh.size());
    int row = 0;   // position in the list as changed so far
    int i = 0;     // next row of `current`
    int j = 0;     // next row of `fresh`
    while (i < currentSize || j < freshSize) {
        if (i == currentSize) {
            steps.append({Kind::Insert, row, freshSize - j, j});
            break;
        }
        if (j == freshSize) {
            steps.append({Kind::Remove, row, currentSize - i, 0});
            break;
        }
        const CallRow &old = current.at(i);
        const CallRow &now = fresh.at(j);
        if (old.id == now.id && old.startedAtMs == now.startedAtMs) {
            if (!sameContent(old, now)) {
                RowMergeStep *last = steps.isEmpty() ? nullptr : &steps.last();
                if (last && last->kind == Kind::Update && last->row + last->count == row
                    && last->freshIndex + last->count == j)
                    ++last->count;
                else
                    steps.append({Kind::Update, row, 1, j});
            }
            ++i;
            ++j;
            ++row;
        } else if (comesBefore(now, old)) {
            int end = j;
            while (end < freshSize && comesBefore(fresh.at(end), old))
                ++end;
            steps.append({Kind::Insert, row, end - j, j});
            row += end - j;
            j = end;
        } else {
            int end = i;
            while (end < currentSize && comesBefore(current.at(end), now))
                ++end;
            steps.append({Kind::Remove, row, end - i, 0});
            i = end;
        }
    }
    return steps;
}

} // namespace earshot
