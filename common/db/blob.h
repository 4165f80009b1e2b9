#pragma once

// Reading a BLOB column whole: Connector/C++ hands it over as a stream.

#include <string>

#include "cppconn/resultset.h"

namespace ladder::db {

// The bytes of `column` of the current row; "" when it is NULL.
std::string ReadBlob(sql::ResultSet& rows, int column);

}  // namespace ladder::db
