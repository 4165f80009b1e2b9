#include "common/util/stable_hash.h"

#include "gtest/gtest.h"

namespace ladder {
namespace {

// Stored migration checksums, request fingerprints and page tokens were made with these
// values: a change to the hash would make every one of them mismatch.
TEST(StableHashTest, KeepsTheValuesAlreadyStored) {
  EXPECT_EQ(StableHashHex(""), "14650fb0739d0383");
  EXPECT_EQ(StableHashHex("a"), "44bd8ad473cd9906");
  EXPECT_EQ(StableHashHex("foobar"), "88fad7c0a8ff07f2");
}

TEST(StableHasherTest, PiecesHashAsTheirJoin) {
  StableHasher hasher;
  for (const char* piece : {"7", ";1001:905,800", "", ";1002:1000,0"}) hasher.Update(piece);
  EXPECT_EQ(hasher.Hex(), StableHashHex("7;1001:905,800;1002:1000,0"));
  EXPECT_EQ(hasher.value(), StableHash("7;1001:905,800;1002:1000,0"));
  EXPECT_EQ(StableHasher().Hex(), StableHashHex(""));
}

}  // namespace
}  // namespace ladder
