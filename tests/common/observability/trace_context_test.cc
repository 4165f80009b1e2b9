#include "common/observability/trace_context.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace ladder::observability {
namespace {

TEST(TraceParentTest, ParsesTheSpecificationsExample) {
  std::optional<TraceParent> trace = TraceParent::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(trace.has_value());
  EXPECT_EQ(trace->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(trace->parent_id, "00f067aa0ba902b7");
  EXPECT_TRUE(trace->sampled);
  EXPECT_EQ(trace->Header(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(TraceParentTest, RefusesWhatTheSpecificationRefuses) {
  for (const char* header : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",           // no flags
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",        // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",        // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",        // upper case
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // forbidden version
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // v00 has four parts
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",         // 31 digits
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",        // bad flags
       }) {
    EXPECT_FALSE(TraceParent::Parse(header).has_value()) << header;
  }
}

TEST(TraceParentTest, ALaterVersionIsReadAsVersion00) {
  std::optional<TraceParent> trace =
      TraceParent::Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future");
  ASSERT_TRUE(trace.has_value());
  EXPECT_FALSE(trace->sampled);
}

TEST(TraceParentTest, NewTracesAndSpansAreValidAndDistinct) {
  const TraceParent root = TraceParent::NewTrace();
  ASSERT_TRUE(TraceParent::Parse(root.Header()).has_value()) << root.Header();
  const TraceParent child = root.NewSpan();
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_NE(child.parent_id, root.parent_id);
  EXPECT_NE(TraceParent::NewTrace().trace_id, root.trace_id);
}

TEST(ScopedTraceTest, NestsAndRestores) {
  EXPECT_EQ(CurrentTrace(), nullptr);
  const TraceParent outer = TraceParent::NewTrace();
  {
    ScopedTrace scope(outer);
    ASSERT_NE(CurrentTrace(), nullptr);
    EXPECT_EQ(CurrentTrace()->trace_id, outer.trace_id);
    {
      ScopedTrace inner(TraceParent::NewTrace());
      EXPECT_NE(CurrentTrace()->trace_id, outer.trace_id);
    }
    EXPECT_EQ(CurrentTrace()->trace_id, outer.trace_id);
  }
  EXPECT_EQ(CurrentTrace(), nullptr);
}

}  // namespace
}  // namespace ladder::observability
