#pragma once

// The text of a migration, as the server is sent it.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ladder::db {

// Splits a migration into statements at ';' that ends a line. Comment lines ("-- ") are
// dropped.
std::vector<std::string> SplitSqlStatements(absl::string_view sql);

}  // namespace ladder::db
