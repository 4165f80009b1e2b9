#pragma once

// The order of a county's cases waiting for a free senior slot: a rule of the policy, apart
// from where the cases are stored, so that it is tested on its own.

#include "ladder/careerpath/v1/career_case.pb.h"

namespace ladder::careerpath {

// The waitlist order: the higher latest composite first, then the longer time at level
// (the earlier day the level was taken, from the evidence's days at level and the day it
// was judged: the case's decide_time, or its create_time), then the older case.
bool WaitlistBefore(const careerpath::v1::Case& a, const careerpath::v1::Case& b);

}  // namespace ladder::careerpath
