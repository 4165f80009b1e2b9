#pragma once

#include <vector>

#include "common/db/migration.h"

namespace ladder::careerpath {

// The career-path schema's migrations, compiled from migrations/*.sql.
const std::vector<db::Migration>& Migrations();

}  // namespace ladder::careerpath
