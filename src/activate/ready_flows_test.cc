#include "activate/ready_flows.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace rapport {
namespace {

using Ids = std::vector<uint64_t>;

Ids Take(ReadyFlows& r, int64_t now, size_t max) {
  Ids out;
  r.TakeDue(now, max, &out);
  return out;
}

TEST(ReadyFlowsTest, OneFlowGoesOldestFirst) {
  ReadyFlows r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.EarliestDue(), std::numeric_limits<int64_t>::max());
  r.Add("a", 30, 3);
  r.Add("a", 10, 1);
  r.Add("a", 10, 2);
  EXPECT_EQ(r.EarliestDue(), 10);
  EXPECT_EQ(Take(r, 20, 10), (Ids{1, 2}));  // 3 is not due
  EXPECT_EQ(Take(r, 30, 10), (Ids{3}));
  EXPECT_TRUE(r.empty());
}

TEST(ReadyFlowsTest, FlowsTakeTurnsAndTheTurnCarriesOverCalls) {
  ReadyFlows r;
  for (uint64_t id = 1; id <= 100; ++id) r.Add("journey:1", 0, id);  // a big backlog first
  r.Add("audience:vip", 5, 101);
  r.Add("audience:vip", 5, 102);
  r.Add("journey:2", 5, 201);
  // In turn: audience:vip, journey:1, journey:2, then again; not the 100 older items first.
  EXPECT_EQ(Take(r, 10, 4), (Ids{101, 1, 201, 102}));
  // The next call starts after the flow served last (audience:vip): journey:1 alone is left.
  EXPECT_EQ(Take(r, 10, 3), (Ids{2, 3, 4}));
  r.Add("audience:vip", 10, 103);
  EXPECT_EQ(Take(r, 10, 2), (Ids{103, 5}));
}

TEST(ReadyFlowsTest, AFlowWithNothingDueDoesNotTakeATurn) {
  ReadyFlows r;
  r.Add("a", 0, 1);
  r.Add("a", 0, 2);
  r.Add("b", 50, 3);  // a retry later
  r.Add("c", 0, 4);
  EXPECT_EQ(r.EarliestDue(), 0);
  EXPECT_EQ(Take(r, 10, 10), (Ids{1, 4, 2}));
  EXPECT_EQ(r.EarliestDue(), 50);
  EXPECT_EQ(Take(r, 10, 10), Ids{});
  EXPECT_EQ(Take(r, 50, 10), (Ids{3}));
}

TEST(ReadyFlowsTest, RemoveTakesOneItemAndForgetsEmptyFlows) {
  ReadyFlows r;
  r.Add("a", 0, 1);
  r.Add("b", 0, 2);
  r.Remove("a", 0, 1);
  r.Remove("a", 0, 1);   // absent: nothing happens
  r.Remove("zz", 0, 9);  // unknown flow: nothing happens
  r.Remove("b", 99, 2);  // wrong due time: not this item
  EXPECT_EQ(Take(r, 0, 10), (Ids{2}));
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace rapport
