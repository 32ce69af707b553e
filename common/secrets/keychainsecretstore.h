#pragma once

#include "secrets/secretstore.h"

#include <chrono>
#include <functional>

class QObject;

namespace earshot {

// SecretStore over QtKeychain (Secret Service, macOS Keychain, Windows Credential
// Manager). Calls block on a local event loop with a timeout, because a locked keyring
// can wait forever for a prompt nobody sees.
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("Earshot"),
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

    Expected<std::optional<QByteArray>> read(const QString &key) override;
    using ReadCallback = std::function<void(const Expected<std::optional<QByteArray>> &result)>;
    // Without blocking, for GUI threads: `done` runs on `context`'s thread once the
    // keychain answers or the timeout passes, unless `context` is gone by then.
    void readAsync(const QString &key, QObject *context, ReadCallback done);
    Status write(const QString &key, const QByteArray &secret) override;
    Status remove(const QString &key) override;

private:
    QString m_service;
    std::chrono::milliseconds m_timeout;
};

} // namespace earshot
