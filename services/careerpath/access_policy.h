#pragma once

#include <memory>

#include "common/auth/authenticator.h"
#include "common/db/connection_pool.h"
#include "common/server/guarded_service.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "services/careerpath/careerpath_service.h"
#include "services/careerpath/case_store.h"
#include "services/careerpath/operations_service.h"
#include "services/careerpath/review_store.h"
#include "services/careerpath/upstream.h"

namespace ladder::careerpath {

// Who may call what of CareerPathService, and on which part of the branch: the service as
// it is registered with the server. docs/security.md has the same matrix in words.
class CareerPathAccessPolicy final : public server::GuardedService {
 public:
  // None is owned; all must outlive the policy.
  CareerPathAccessPolicy(CareerPathServiceImpl* impl, CaseStore* store, PersonnelGateway* personnel,
                         EvaluationGateway* evaluation, std::shared_ptr<auth::Authenticator> authenticator,
                         db::ConnectionPool* audit_pool);
};

// The same for google.longrunning.Operations, served beside it for the reviews: whoever may
// start a review of a cycle may follow and cancel it; HR admins and auditors list them all.
class ReviewOperationsAccessPolicy final : public server::GuardedService {
 public:
  // None is owned; all must outlive the policy.
  ReviewOperationsAccessPolicy(ReviewOperationsService* impl, ReviewStore* reviews, EvaluationGateway* evaluation,
                               std::shared_ptr<auth::Authenticator> authenticator, db::ConnectionPool* audit_pool);
};

}  // namespace ladder::careerpath
