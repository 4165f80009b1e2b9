#include "common/auth/caller.h"

#include "absl/strings/str_cat.h"

namespace ladder::auth {

Caller CallerFromContext(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("x-ladder-actor");
  if (it == metadata.end() || it->second.empty() || it->second.size() > 128) {
    return Caller{"anonymous"};
  }
  std::string actor(it->second.data(), it->second.size());
  for (unsigned char c : actor) {
    if (c < 0x20 || c > 0x7e) return Caller{"anonymous"};
  }
  return Caller{absl::StrCat("user:", actor)};
}

}  // namespace ladder::auth
