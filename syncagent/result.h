#pragma once

#include <utility>
#include <variant>

namespace earshot {

// common's Expected<T> carries only a message. The agent must also know what kind of
// failure it was (its exit code, its retries and its per-recording decisions depend on
// that), so its layers return a value or a typed error.
template <typename T, typename E>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {} // NOLINT(google-explicit-constructor)
    Result(E error) : m_state(std::in_place_index<1>, std::move(error)) {} // NOLINT(google-explicit-constructor)

    explicit operator bool() const { return m_state.index() == 0; }

    const T &value() const & { return std::get<0>(m_state); }
    T &value() & { return std::get<0>(m_state); }
    T &&value() && { return std::get<0>(std::move(m_state)); }
    const T *operator->() const { return &std::get<0>(m_state); }
    T *operator->() { return &std::get<0>(m_state); }
    const T &operator*() const & { return std::get<0>(m_state); }

    const E &error() const & { return std::get<1>(m_state); }

private:
    std::variant<T, E> m_state;
};

// The value of a Result that has nothing to return.
using Done = std::monostate;

} // namespace earshot
