#include "common/db/blob.h"

#include <istream>
#include <memory>
#include <sstream>

namespace ladder::db {

std::string ReadBlob(sql::ResultSet& rows, int column) {
  if (rows.isNull(column)) return "";
  std::unique_ptr<std::istream> blob(rows.getBlob(column));
  std::ostringstream bytes;
  bytes << blob->rdbuf();
  return bytes.str();
}

}  // namespace ladder::db
