#pragma once

#include <memory>

#include "common/auth/authenticator.h"
#include "common/db/connection_pool.h"
#include "common/server/guarded_service.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "services/evaluation/evaluation_service.h"
#include "services/evaluation/evaluation_store.h"
#include "services/evaluation/personnel_directory.h"

namespace ladder::evaluation {

// Who may call what of EvaluationService, and on which part of the branch: the service as
// it is registered with the server. docs/security.md has the same matrix in words.
class EvaluationAccessPolicy final : public server::GuardedService {
 public:
  // None is owned; all must outlive the policy.
  EvaluationAccessPolicy(EvaluationServiceImpl* impl, EvaluationStore* store, PersonnelDirectory* personnel,
                         std::shared_ptr<auth::Authenticator> authenticator, db::ConnectionPool* audit_pool);
};

}  // namespace ladder::evaluation
