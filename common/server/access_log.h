#pragma once

#include <memory>

#include "grpcpp/support/server_interceptor.h"

namespace ladder::server {

// One log line per call: method, code, duration, trace id, peer and actor (the caller the
// guard admitted, "-" before that). Successful calls log at debug,
// callers' mistakes (bad input, refused rules) at info, server-side failures at warn, so
// the default level shows what operations must look at.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAccessLogFactory();

}  // namespace ladder::server
