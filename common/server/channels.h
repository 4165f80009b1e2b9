#pragma once

#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace ladder::server {

// A channel to another Ladder service that spreads calls over every address `target`
// resolves to (round_robin), so pointing it at a headless Service
// ("dns:///ladder-personnel-headless:50051") balances over all replicas, and re-resolution
// picks up new ones.
inline std::shared_ptr<grpc::Channel> BalancedChannel(const std::string& target) {
  grpc::ChannelArguments arguments;
  arguments.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
}

}  // namespace ladder::server
