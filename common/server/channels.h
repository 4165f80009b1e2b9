#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/observability/grpc_metrics.h"
#include "common/observability/trace_context.h"
#include "grpcpp/channel.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace ladder::server {

// A channel to another Ladder service that spreads calls over every address `target`
// resolves to (round_robin), so pointing it at a headless Service
// ("dns:///ladder-personnel-headless:50051") balances over all replicas, and re-resolution
// picks up new ones.
// `credentials` come from ChannelCredentialsFor (transport_security.h): mutual TLS.
inline std::shared_ptr<grpc::Channel> BalancedChannel(const std::string& target,
                                                      const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments arguments;
  arguments.SetLoadBalancingPolicyName("round_robin");
  // Every call carries the trace of the call it serves and is counted (grpc_client_*).
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(observability::MakeClientTraceFactory());
  interceptors.push_back(observability::MakeClientMetricsFactory());
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, credentials, arguments,
                                                                 std::move(interceptors));
}

}  // namespace ladder::server
