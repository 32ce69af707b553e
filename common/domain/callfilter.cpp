#include "callfilter.h"

namespace earshot {

bool CallFilter::isEmpty() const
{
    return *this == CallFilter{};
}

} // namespace earshot
