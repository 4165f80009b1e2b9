#include "services/careerpath/waitlist_order.h"

#include <cmath>
#include <cstdint>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/api/resource_name.h"
#include "common/time/dates.h"

namespace ladder::careerpath {
namespace {

namespace cv1 = ::ladder::careerpath::v1;

// The day the level was taken, as a case's evidence has it: its days at level counted back
// from the day it was judged (its last decision, or its proposal). Days at level alone
// would favour whichever case was judged later.
int64_t LevelTakenDay(const cv1::Case& value) {
  const google::protobuf::Timestamp& judged = value.has_decide_time() ? value.decide_time() : value.create_time();
  const absl::CivilDay day = absl::ToCivilDay(absl::FromUnixSeconds(judged.seconds()), BranchTimeZone());
  return (day - absl::CivilDay(1970, 1, 1)) - value.evidence().days_at_level();
}

}  // namespace

bool WaitlistBefore(const cv1::Case& a, const cv1::Case& b) {
  const double ca = a.evidence().has_latest_composite() ? a.evidence().latest_composite() : -1;
  const double cb = b.evidence().has_latest_composite() ? b.evidence().latest_composite() : -1;
  if (std::fabs(ca - cb) > 1e-9) return ca > cb;
  const int64_t since_a = LevelTakenDay(a), since_b = LevelTakenDay(b);
  if (since_a != since_b) return since_a < since_b;
  return api::IdOf(a.name()) < api::IdOf(b.name());
}

}  // namespace ladder::careerpath
