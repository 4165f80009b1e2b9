// The guard of a service with a database: refusals go to its audit trail. Apart from
// call_guard.cc so that the guard itself links no database (its unit test records refusals
// in memory).

#include "common/db/audit_log.h"
#include "common/server/call_guard.h"

namespace ladder::server {

CallGuard::CallGuard(std::string service, std::shared_ptr<auth::Authenticator> authenticator,
                     db::ConnectionPool* audit_pool, std::string domain)
    : CallGuard(std::move(service), std::move(authenticator),
                audit_pool == nullptr ? RefusalRecorder() : RefusalRecorder([audit_pool](const db::AuditEvent& event) {
                  return db::RecordAuditEvent(*audit_pool, event);
                }),
                std::move(domain)) {}

}  // namespace ladder::server
