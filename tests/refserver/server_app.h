// One running reference server: opens and seeds the database, builds the services, wires
// the routes and listens.
#pragma once

#include "server_options.h"

#include <QtCore/QObject>
#include <QtCore/QUrl>

#include <memory>

namespace earshot::refserver {

class ServerApp : public QObject
{
    Q_OBJECT

public:
    explicit ServerApp(ServerOptions options, QObject *parent = nullptr);
    ~ServerApp() override;

    bool start(QString *error);
    QUrl baseUrl() const;

private:
    struct Parts;

    bool openDatabase(QString *error);
    void registerRoutes();

    ServerOptions m_options;
    std::unique_ptr<Parts> m_parts;
    quint16 m_port = 0;
};

} // namespace earshot::refserver
