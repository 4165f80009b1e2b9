#include "common/db/database_options.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/db/sql_script.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::db {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// ---------------------------------------------------------------- ParseDatabaseUrl

TEST(DatabaseUrlTest, ParsesAFullUrl) {
  absl::StatusOr<DatabaseOptions> options = ParseDatabaseUrl(
      "mysql://ladder:secret@db.internal:3307/ladder_personnel?socket=/run/mysqld/mysqld.sock"
      "&pool_size=8&connect_timeout_s=2&io_timeout_s=10&acquire_timeout_ms=250");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->user, "ladder");
  EXPECT_EQ(options->password, "secret");
  EXPECT_EQ(options->host, "db.internal");
  EXPECT_EQ(options->port, 3307);
  EXPECT_EQ(options->database, "ladder_personnel");
  EXPECT_EQ(options->socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(options->pool_size, 8);
  EXPECT_EQ(options->connect_timeout, absl::Seconds(2));
  EXPECT_EQ(options->io_timeout, absl::Seconds(10));
  EXPECT_EQ(options->acquire_timeout, absl::Milliseconds(250));
}

TEST(DatabaseUrlTest, DefaultsApplyWhenPartsAreLeftOut) {
  absl::StatusOr<DatabaseOptions> options = ParseDatabaseUrl("mysql://root@/ladder_evaluation");
  ASSERT_TRUE(options.ok()) << options.status();
  const DatabaseOptions defaults;
  EXPECT_EQ(options->user, "root");
  EXPECT_EQ(options->password, "");
  EXPECT_EQ(options->host, defaults.host);
  EXPECT_EQ(options->port, defaults.port);
  EXPECT_EQ(options->database, "ladder_evaluation");
  EXPECT_EQ(options->socket, "");
  EXPECT_EQ(options->pool_size, defaults.pool_size);

  absl::StatusOr<DatabaseOptions> no_credentials = ParseDatabaseUrl("mysql://db:3306/x");
  ASSERT_TRUE(no_credentials.ok()) << no_credentials.status();
  EXPECT_EQ(no_credentials->host, "db");
  EXPECT_EQ(no_credentials->user, "");
}

TEST(DatabaseUrlTest, DecodesPercentEncodedCredentials) {
  absl::StatusOr<DatabaseOptions> options = ParseDatabaseUrl("mysql://ladder%2Dapp:p%40ss%3A%2Fw%25rd@db:3306/ladder");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->user, "ladder-app");
  EXPECT_EQ(options->password, "p@ss:/w%rd");

  absl::StatusOr<DatabaseOptions> simple = ParseDatabaseUrl("mysql://u:p%40ss@db/ladder");
  ASSERT_TRUE(simple.ok()) << simple.status();
  EXPECT_EQ(simple->password, "p@ss");
}

TEST(DatabaseUrlTest, AnUnencodedAtInThePasswordSplitsAtTheLastAt) {
  absl::StatusOr<DatabaseOptions> options = ParseDatabaseUrl("mysql://u:p@ss@db/ladder");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->password, "p@ss");
  EXPECT_EQ(options->host, "db");
}

TEST(DatabaseUrlTest, RefusesBadPercentEncoding) {
  for (const char* url :
       {"mysql://u:p%4@db/x", "mysql://u:p%zz@db/x", "mysql://u:p%@db/x", "mysql://u@db/x?socket=%"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(ParseDatabaseUrl(url).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(DatabaseUrlTest, RefusesPercentEscapesThatAreNotTwoHexDigits) {
  for (const char* url : {"mysql://u:p%+1@db/x", "mysql://u:p%-1@db/x", "mysql://u:p% 1@db/x"}) {
    SCOPED_TRACE(url);
    absl::StatusOr<DatabaseOptions> options = ParseDatabaseUrl(url);
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument)
        << "decoded password: " << absl::CHexEscape(options.ok() ? options->password : "");
  }
}

TEST(DatabaseUrlTest, RefusesAMissingDatabase) {
  for (const char* url : {"mysql://u:p@db:3306", "mysql://u:p@db:3306/", "mysql://u:p@db/?pool_size=4"}) {
    SCOPED_TRACE(url);
    const absl::Status status = ParseDatabaseUrl(url).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("database"));
  }
}

TEST(DatabaseUrlTest, RefusesAnotherScheme) {
  for (const char* url : {"postgres://u:p@db/x", "mysqlx://u:p@db/x", "db/x", ""}) {
    SCOPED_TRACE(url);
    const absl::Status status = ParseDatabaseUrl(url).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("mysql://"));
  }
}

TEST(DatabaseUrlTest, RefusesABadPort) {
  for (const char* url : {"mysql://u:p@db:/x", "mysql://u:p@db:abc/x", "mysql://u:p@db:0/x", "mysql://u:p@db:65536/x",
                          "mysql://u:p@db:-1/x", "mysql://u:p@db:99999999999/x"}) {
    SCOPED_TRACE(url);
    const absl::Status status = ParseDatabaseUrl(url).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("port"));
  }
  EXPECT_EQ(ParseDatabaseUrl("mysql://u:p@db:65535/x")->port, 65535);
  EXPECT_EQ(ParseDatabaseUrl("mysql://u:p@db:1/x")->port, 1);
}

TEST(DatabaseUrlTest, RefusesUnknownOrInvalidOptions) {
  for (const char* url :
       {"mysql://u:p@db/x?ssl=true", "mysql://u:p@db/x?pool_size=0", "mysql://u:p@db/x?pool_size=many",
        "mysql://u:p@db/x?pool_size", "mysql://u:p@db/x?io_timeout_s=-3", "mysql://u:p@db/x?Socket=/tmp/s"}) {
    SCOPED_TRACE(url);
    const absl::Status status = ParseDatabaseUrl(url).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("option"));
  }
}

TEST(DatabaseUrlTest, ErrorsNeverShowThePassword) {
  for (const char* url : {"mysql://u:hunter2@db:abc/x", "mysql://u:hunter2@db/x?ssl=1", "mysql://u:hunter2@db:3306"}) {
    SCOPED_TRACE(url);
    const absl::Status status = ParseDatabaseUrl(url).status();
    ASSERT_FALSE(status.ok());
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("hunter2")));
  }
}

TEST(DatabaseUrlTest, RedactedUrlNeverContainsThePassword) {
  for (const char* url : {"mysql://ladder:hunter2@db:3307/ladder_personnel",
                          "mysql://ladder:hunter2@db:3307/ladder_personnel?socket=/run/mysqld/mysqld.sock",
                          "mysql://ladder:hun%74er2@db/ladder_personnel"}) {
    SCOPED_TRACE(url);
    absl::StatusOr<DatabaseOptions> options = ParseDatabaseUrl(url);
    ASSERT_TRUE(options.ok()) << options.status();
    ASSERT_EQ(options->password, "hunter2");
    const std::string redacted = RedactedUrl(*options);
    EXPECT_THAT(redacted, Not(HasSubstr("hunter2")));
    EXPECT_THAT(redacted, HasSubstr("ladder:***@"));
    EXPECT_THAT(redacted, HasSubstr("/ladder_personnel"));
  }
  DatabaseOptions options;
  options.user = "ladder";
  options.host = "db";
  options.port = 3307;
  options.database = "ladder_personnel";
  options.socket = "/run/mysqld/mysqld.sock";
  EXPECT_EQ(RedactedUrl(options), "mysql://ladder@db:3307/ladder_personnel?socket=/run/mysqld/mysqld.sock");
  options.password = "s3cr3t";
  EXPECT_EQ(RedactedUrl(options), "mysql://ladder:***@db:3307/ladder_personnel?socket=/run/mysqld/mysqld.sock");
}

// ---------------------------------------------------------------- SplitSqlStatements

TEST(SplitSqlStatementsTest, SplitsAtASemicolonEndingALine) {
  EXPECT_THAT(SplitSqlStatements("CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n"),
              ElementsAre("CREATE TABLE a (id INT)", "CREATE TABLE b (id INT)"));
}

TEST(SplitSqlStatementsTest, KeepsMultiLineStatementsWhole) {
  EXPECT_THAT(SplitSqlStatements("CREATE TABLE a (\n  id INT,\n  name TEXT\n);\n"),
              ElementsAre("CREATE TABLE a (\n  id INT,\n  name TEXT\n)"));
}

TEST(SplitSqlStatementsTest, DropsCommentAndBlankLines) {
  EXPECT_THAT(SplitSqlStatements("-- The first table.\n\nCREATE TABLE a (\n"
                                 "  -- its key\n  id INT\n);\n   -- indented comment\n"),
              ElementsAre("CREATE TABLE a (\n  id INT\n)"));
}

TEST(SplitSqlStatementsTest, ASemicolonInsideALineDoesNotSplit) {
  EXPECT_THAT(SplitSqlStatements("INSERT INTO t VALUES ('a;b'), ('c;');\nSELECT 1;\n"),
              ElementsAre("INSERT INTO t VALUES ('a;b'), ('c;')", "SELECT 1"));
  EXPECT_THAT(SplitSqlStatements("SELECT 1; SELECT 2\n;\n"), ElementsAre("SELECT 1; SELECT 2"));
}

TEST(SplitSqlStatementsTest, KeepsALastStatementWithoutSemicolon) {
  EXPECT_THAT(SplitSqlStatements("SELECT 1;\nSELECT 2"), ElementsAre("SELECT 1", "SELECT 2"));
  EXPECT_THAT(SplitSqlStatements("SELECT 1;\nSELECT 2\n\n"), ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SplitSqlStatementsTest, NothingToRun) {
  EXPECT_THAT(SplitSqlStatements(""), IsEmpty());
  EXPECT_THAT(SplitSqlStatements("\n\n-- only a comment\n"), IsEmpty());
  EXPECT_THAT(SplitSqlStatements(";\n"), IsEmpty());
}

TEST(SplitSqlStatementsTest, TrailingBlanksAfterTheSemicolonAreIgnored) {
  // A line ending "; " or a Windows line end still ends the statement, and the ';' is not
  // part of it.
  EXPECT_THAT(SplitSqlStatements("SELECT 1;  \nSELECT 2;\r\nSELECT 3;\n"),
              ElementsAre("SELECT 1", "SELECT 2", "SELECT 3"));
}

}  // namespace
}  // namespace ladder::db
