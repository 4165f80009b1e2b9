#pragma once

// gRPC call metrics under the names operators already query from go-grpc-prometheus:
//   grpc_server_started_total, grpc_server_handled_total (with grpc_code),
//   grpc_server_handling_seconds (histogram), grpc_server_msg_received_total,
//   grpc_server_msg_sent_total, and the same with grpc_client_ for calls this server
//   makes to the others; labelled grpc_service, grpc_method, grpc_type.
// A method's series appear, every status code at zero, at its first call, so a rate or
// ratio over them has a value before the first error.
//
// Calls that gRPC itself refuses before a handler is chosen (the thread quota, a message
// over the size limit) never reach an interceptor and are not counted here.

#include <memory>

#include "grpcpp/support/client_interceptor.h"
#include "grpcpp/support/server_interceptor.h"

namespace ladder::observability {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeServerMetricsFactory();
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> MakeClientMetricsFactory();

}  // namespace ladder::observability
