#pragma once

#include <vector>

#include "common/db/migration.h"

namespace ladder::evaluation {

// The evaluation schema's migrations, compiled from migrations/*.sql.
const std::vector<db::Migration>& Migrations();

}  // namespace ladder::evaluation
