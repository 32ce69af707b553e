#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace earshot {

// A value or a message a user can act on. std::expected is C++23; this is the
// small subset the project needs, with the error always a human-readable QString.
template <typename T>
class [[nodiscard]] Expected
{
public:
    Expected(T value) : m_value(std::move(value)) {} // NOLINT(google-explicit-constructor)

    static Expected failure(QString error)
    {
        Expected result;
        result.m_error = std::move(error);
        return result;
    }

    explicit operator bool() const { return m_value.has_value(); }
    bool hasValue() const { return m_value.has_value(); }

    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T &operator*() const & { return *m_value; }
    T &operator*() & { return *m_value; }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }

    const QString &error() const { return m_error; }

private:
    Expected() = default;
    std::optional<T> m_value;
    QString m_error;
};

// Success or a message, for operations that return nothing.
class [[nodiscard]] Status
{
public:
    static Status ok() { return Status(); }
    static Status failure(QString error) { return Status(std::move(error)); }

    explicit operator bool() const { return m_error.isEmpty(); }
    bool isOk() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }

private:
    Status() = default;
    explicit Status(QString error) : m_error(error.isEmpty() ? QStringLiteral("unknown error") : std::move(error)) {}
    QString m_error;
};

} // namespace earshot
