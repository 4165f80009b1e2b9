#include "common/db/statement.h"

namespace ladder::db {

sql::ResultSet* Statement::executeQuery() {
  StatementClock clock(metrics_, StatementKind::kRead);
  return native_->executeQuery();
}

int Statement::executeUpdate() {
  StatementClock clock(metrics_, StatementKind::kWrite);
  return native_->executeUpdate();
}

StatementClock::~StatementClock() {
  metrics_.ObserveStatement(kind_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
}

}  // namespace ladder::db
