#pragma once

#include <vector>

#include "common/db/migration.h"

namespace ladder::personnel {

// The personnel schema's migrations, compiled from migrations/*.sql.
const std::vector<db::Migration>& Migrations();

}  // namespace ladder::personnel
