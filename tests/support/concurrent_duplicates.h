#pragma once

// A client that retries while its first call still runs, many times over: the same request
// sent from many threads released at one moment. Every call must succeed with the first
// call's response (docs/api.md, "Idempotent retries").

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/barrier.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/support/personnel_test_server.h"
#include "tests/support/status_matchers.h"

namespace ladder::testing {

// Sends `request` through `method` from `callers` threads at once, each with a stub of its
// own from `new_stub`; expects every call OK with the same response, and returns it.
template <typename Stub, typename Request, typename Response>
Response SendTogether(int callers, const std::function<std::unique_ptr<Stub>()>& new_stub,
                      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                      const Request& request) {
  std::vector<grpc::Status> statuses(callers);
  std::vector<Response> responses(callers);
  absl::Barrier* start = new absl::Barrier(callers);
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      std::unique_ptr<Stub> stub = new_stub();
      std::unique_ptr<grpc::ClientContext> context = CallContext();
      if (start->Block()) delete start;
      statuses[i] = (stub.get()->*method)(context.get(), request, &responses[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < callers; ++i) {
    EXPECT_THAT(statuses[i], IsOk()) << "caller " << i << " of " << request.GetTypeName();
    if (statuses[i].ok() && statuses[0].ok()) {
      EXPECT_EQ(responses[i].SerializeAsString(), responses[0].SerializeAsString())
          << "caller " << i << " of " << request.GetTypeName() << " was told something else than the first";
    }
  }
  return responses[0];
}

}  // namespace ladder::testing
