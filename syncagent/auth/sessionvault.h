#pragma once

#include "api/apitypes.h"
#include "api/serveraddress.h"
#include "expected.h"
#include "secrets/secretstore.h"

#include <optional>

namespace earshot {

// The signed-in session (tokens and user) for each server, kept only in the OS
// keychain under "session:<origin>". Nothing of it is ever written to the data folder.
class SessionVault
{
public:
    explicit SessionVault(SecretStore &secrets) : m_secrets(secrets) {}

    static QString keyFor(const ServerAddress &server);

    // Empty when the keychain works but nobody signed in to this server.
    Expected<std::optional<Session>> load(const ServerAddress &server);
    Status save(const ServerAddress &server, const Session &session);
    Status forget(const ServerAddress &server);

private:
    SecretStore &m_secrets;
};

} // namespace earshot
