#pragma once

#include <memory>

#include "common/auth/authenticator.h"
#include "common/db/connection_pool.h"
#include "common/server/guarded_service.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"
#include "services/personnel/personnel_service.h"
#include "services/personnel/personnel_store.h"

namespace ladder::personnel {

// Who may call what of PersonnelService, and on which part of the branch: the service as it
// is registered with the server. Every RPC is bound here to its handler through the call
// guard (common/server/call_guard.h); docs/security.md has the same matrix in words.
class PersonnelAccessPolicy final : public server::GuardedService {
 public:
  // None is owned; all must outlive the policy.
  PersonnelAccessPolicy(PersonnelServiceImpl* impl, PersonnelStore* store,
                        std::shared_ptr<auth::Authenticator> authenticator, db::ConnectionPool* audit_pool);
};

}  // namespace ladder::personnel
