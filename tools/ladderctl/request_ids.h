#pragma once

// Request ids derived from what a change does, so that running the same command (or the
// same file) again sends the same ids: the service returns the first result instead of
// doing the change twice, and an interrupted run resumes without duplicates.

#include <string>

#include "absl/strings/string_view.h"

namespace ladder::ladderctl {

// "lc-{kind}-{key}-{hash of content}", at most 64 printable ASCII characters (a key that is
// too long or not ASCII is replaced by its hash). `content` is everything the change
// depends on, so a corrected row gets a new id.
std::string RequestId(absl::string_view kind, absl::string_view key, absl::string_view content);

}  // namespace ladder::ladderctl
