#include "insight/attribution/compare.h"

#include <gtest/gtest.h>

#include <sstream>

#include "insight/attribution/test_util.h"

namespace rapport::insight {
namespace {

using testing::Seq;

TEST(Compare, TableSumsAndRender) {
  auto p = PreparePaths({Seq({"Email", "Paid Search"}, 30), Seq({"Paid Search"}, 20),
                         Seq({"Email", "Direct", "Paid Search"}, 50)},
                        {Seq({"Email"}), Seq({"Direct"})}, {});
  ASSERT_TRUE(p.ok());
  auto t = CompareModels(*p, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->models,
            (std::vector<std::string>{"first_touch", "last_touch", "linear", "time_decay",
                                      "position_based", "markov_1", "shapley"}));
  for (size_t m = 0; m < t->models.size(); ++m) {
    double c = 0, v = 0;
    for (size_t ch = 0; ch < t->channels.size(); ++ch) {
      c += t->conversions[ch][m];
      v += t->value[ch][m];
    }
    EXPECT_NEAR(c, 3, 1e-9) << t->models[m];
    EXPECT_NEAR(v, 100, 1e-9) << t->models[m];
  }
  const std::string text = RenderTable(*t);
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u);  // header, 3 channels, total
  for (const std::string& l : lines) EXPECT_EQ(l.size(), lines[0].size()) << text;
  EXPECT_EQ(lines[4].substr(0, 5), "total");
  EXPECT_NE(lines[4].find("3.00"), std::string::npos);
  EXPECT_NE(lines[4].find("100.00"), std::string::npos);
  EXPECT_EQ(lines[1].substr(0, 6), "Direct");
}

TEST(Compare, MismatchedChannelsRejected) {
  Attribution a, b;
  a.channels = {"x"};
  a.credits.resize(1);
  b.channels = {"y"};
  b.credits.resize(1);
  EXPECT_EQ(MakeTable({a, b}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapport::insight
