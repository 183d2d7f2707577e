// docs/audiences.md stays true: every ```audience block parses, every ```json block right after
// one is the same audience, and every row of its error tables gives exactly the error shown.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "audience/json_form.h"
#include "audience/parser.h"
#include "audience/printer.h"

namespace rapport {
namespace {

struct Block {
  std::string language, body;
};

std::string ReadDoc() {
  std::ifstream in(std::string(RAPPORT_DOCS_DIR) + "/audiences.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Block> FencedBlocks(const std::string& doc) {
  std::vector<Block> blocks;
  std::istringstream in(doc);
  std::string line;
  Block* open = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      if (open == nullptr) {
        blocks.push_back({line.substr(3), ""});
        open = &blocks.back();
      } else {
        open = nullptr;
      }
    } else if (open != nullptr) {
      open->body += line + "\n";
    }
  }
  return blocks;
}

TEST(AudienceDocsTest, EveryExampleParsesAndEveryJsonMatchesItsText) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty()) << "docs/audiences.md not found in " << RAPPORT_DOCS_DIR;
  const std::vector<Block> blocks = FencedBlocks(doc);
  size_t audiences = 0, pairs = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].language == "audience") {
      ++audiences;
      auto n = ParseAudience(blocks[i].body);
      ASSERT_TRUE(n.ok()) << blocks[i].body << "\n  " << n.status().message();
      auto via_json = AudienceFromJson(AudienceToJson(*n));
      ASSERT_TRUE(via_json.ok());
      EXPECT_EQ(*via_json, *n);
    } else if (blocks[i].language == "json") {
      auto j = AudienceFromJson(blocks[i].body);
      ASSERT_TRUE(j.ok()) << blocks[i].body << "\n  " << j.status().message();
      ASSERT_GT(i, 0u);
      ASSERT_EQ(blocks[i - 1].language, "audience") << blocks[i].body;
      auto n = ParseAudience(blocks[i - 1].body);
      ASSERT_TRUE(n.ok());
      EXPECT_EQ(*j, *n) << blocks[i].body << "\n  vs " << FormatAudience(*n);
      ++pairs;
    }
  }
  EXPECT_GE(audiences, 40u);
  EXPECT_GE(pairs, 5u);
}

TEST(AudienceDocsTest, TheErrorTablesAreExact) {
  const std::string doc = ReadDoc();
  const size_t from = doc.find("\n## Errors");
  const size_t to = doc.find("\n## Limits");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  std::istringstream in(doc.substr(from, to - from));
  std::string line;
  size_t rows = 0;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const size_t mid = line.find("` | `");
    ASSERT_NE(mid, std::string::npos) << line;
    const std::string input = line.substr(3, mid - 3);
    const std::string message = line.substr(mid + 5, line.size() - (mid + 5) - 3);
    ASSERT_EQ(line.substr(line.size() - 3), "` |") << line;
    auto r = input[0] == '{' ? AudienceFromJson(input) : ParseAudience(input);
    ASSERT_FALSE(r.ok()) << input;
    EXPECT_EQ(r.status().message(), message) << input;
    ++rows;
  }
  EXPECT_GE(rows, 15u);
}

}  // namespace
}  // namespace rapport
