#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace earshot {

// Where credentials and keys live. The only implementation is the OS keychain: there
// is deliberately no file or QSettings fallback, so "no keychain" is an error to show.
class SecretStore
{
public:
    virtual ~SecretStore() = default;

    // An empty optional means the keychain works but holds no such entry.
    virtual Expected<std::optional<QByteArray>> read(const QString &key) = 0;
    virtual Status write(const QString &key, const QByteArray &secret) = 0;
    // Removing an entry that does not exist succeeds.
    virtual Status remove(const QString &key) = 0;
};

} // namespace earshot
