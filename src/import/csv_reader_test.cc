#include "import/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rapport {
namespace {

struct Read {
  Status open;
  std::vector<std::string> columns;
  std::vector<Record> records;
};

Read ReadCsv(const std::string& text, size_t chunk = 64 * 1024, size_t max_record = 1 << 20,
             CsvOptions csv = {}) {
  Read out;
  auto source = StringSource(text);
  ReaderOptions options;
  options.chunk_bytes = chunk;
  options.max_record_bytes = max_record;
  auto reader = CsvReader::Open(source.get(), csv, options);
  if (!reader.ok()) {
    out.open = reader.status();
    return out;
  }
  out.columns = (*reader)->columns();
  Record r;
  while (true) {
    auto got = (*reader)->Next(&r);
    EXPECT_TRUE(got.ok());
    if (!got.ok() || !*got) break;
    out.records.push_back(r);
  }
  EXPECT_EQ((*reader)->bytes_read(), text.size());
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvReaderTest, ReadsHeaderAndRowsWithLineNumbers) {
  Read r = ReadCsv("id,name\n1,Ada\n2,Grace\n");
  ASSERT_TRUE(r.open.ok());
  EXPECT_EQ(r.columns, (Fields{"id", "name"}));
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].line, 2);
  EXPECT_EQ(r.records[0].fields, (Fields{"1", "Ada"}));
  EXPECT_EQ(r.records[0].raw, "1,Ada");
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[1].fields, (Fields{"2", "Grace"}));
  EXPECT_TRUE(r.records[1].error.empty());
}

TEST(CsvReaderTest, QuotedFieldsEscapesAndEmbeddedNewlines) {
  const std::string text =
      "id,note\n"
      "1,\"a, b\"\n"
      "2,\"she said \"\"hi\"\"\"\n"
      "3,\"two\nlines\"\n"
      "4,\"\"\n"
      "5,after\n";
  Read r = ReadCsv(text);
  ASSERT_EQ(r.records.size(), 5u);
  EXPECT_EQ(r.records[0].fields[1], "a, b");
  EXPECT_EQ(r.records[1].fields[1], "she said \"hi\"");
  EXPECT_EQ(r.records[2].fields[1], "two\nlines");
  EXPECT_EQ(r.records[2].line, 4);
  EXPECT_EQ(r.records[2].raw, "3,\"two\nlines\"");
  EXPECT_EQ(r.records[3].fields[1], "");
  EXPECT_EQ(r.records[3].line, 6);  // the embedded newline counts as a line
  EXPECT_EQ(r.records[4].line, 7);
}

TEST(CsvReaderTest, CrlfLineEndsBomAndMissingTrailingNewline) {
  Read r = ReadCsv("\xEF\xBB\xBFid,name\r\n1,\"x\r\ny\"\r\n2,last");
  ASSERT_TRUE(r.open.ok());
  EXPECT_EQ(r.columns, (Fields{"id", "name"}));  // no BOM in the first column's name
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (Fields{"1", "x\r\ny"}));
  EXPECT_EQ(r.records[0].raw, "1,\"x\r\ny\"");
  EXPECT_EQ(r.records[1].fields, (Fields{"2", "last"}));
  EXPECT_EQ(r.records[1].line, 4);
  EXPECT_EQ(r.records[1].raw, "2,last");
}

TEST(CsvReaderTest, LoneCrIsDataAndBlankLinesAreSkipped) {
  Read r = ReadCsv("a,b\n\n1,x\ry\n\r\n\n2,z\n\n");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (Fields{"1", "x\ry"}));
  EXPECT_EQ(r.records[0].line, 3);
  EXPECT_EQ(r.records[1].line, 6);
}

TEST(CsvReaderTest, EmptyTrailingFieldsAndEmptyRowsOfDelimiters) {
  Read r = ReadCsv("a,b,c\n1,,\n,,\n");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (Fields{"1", "", ""}));
  EXPECT_EQ(r.records[1].fields, (Fields{"", "", ""}));
}

TEST(CsvReaderTest, WrongColumnCountRejectsOnlyThatRow) {
  Read r = ReadCsv("a,b\n1,2\n1,2,3\n4\n5,6\n");
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_TRUE(r.records[0].error.empty());
  EXPECT_EQ(r.records[1].error, "the row has 3 columns; the header has 2");
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[1].raw, "1,2,3");
  EXPECT_EQ(r.records[2].error, "the row has 1 column; the header has 2");
  EXPECT_TRUE(r.records[3].error.empty());
}

TEST(CsvReaderTest, InvalidUtf8NamesByteAndColumn) {
  Read r = ReadCsv("id,First Name\n1,Jos\xE9\n2,Ok\xC3\xA9\n3,\xED\xA0\x80\n");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].error, "invalid UTF-8 at byte 4 of column \"First Name\"");
  EXPECT_TRUE(r.records[1].error.empty());                                            // é is valid
  EXPECT_EQ(r.records[2].error, "invalid UTF-8 at byte 1 of column \"First Name\"");  // surrogate
}

TEST(CsvReaderTest, EmptyFileAndHeaderOnly) {
  Read empty = ReadCsv("");
  EXPECT_EQ(empty.open.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.open.message().find("the file is empty"), std::string::npos);
  Read bom_only = ReadCsv("\xEF\xBB\xBF");
  EXPECT_EQ(bom_only.open.code(), StatusCode::kInvalidArgument);
  Read header_only = ReadCsv("a,b");
  ASSERT_TRUE(header_only.open.ok());
  EXPECT_EQ(header_only.columns, (Fields{"a", "b"}));
  EXPECT_TRUE(header_only.records.empty());
}

TEST(CsvReaderTest, BadHeaderIsAnError) {
  Read r = ReadCsv("a,\"b\n1,2\n");
  EXPECT_EQ(r.open.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.open.message().find("never closed"), std::string::npos) << r.open.message();
  Read utf = ReadCsv("a,b\xFF\n1,2\n");
  EXPECT_NE(utf.open.message().find("invalid UTF-8 at byte 2 of column 2"), std::string::npos)
      << utf.open.message();
}

TEST(CsvReaderTest, OversizedRecordIsRejectedAndReaderResynchronises) {
  const std::string big(5000, 'x');
  const std::string text = "a,b\n1,ok\n2," + big + "\n3,\"quoted\n" + big +
                           "\nstill, quoted\"\n4,fine\n5,\"" + big + "\"";
  for (size_t chunk : {1u, 7u, 64u, 4096u, 1u << 20}) {
    SCOPED_TRACE(chunk);
    Read r = ReadCsv(text, chunk, 1024);
    ASSERT_EQ(r.records.size(), 5u);
    EXPECT_TRUE(r.records[0].error.empty());
    EXPECT_EQ(r.records[1].line, 3);
    EXPECT_EQ(r.records[1].error,
              "the record is over the limit of 1024 bytes (max_record_bytes) and was skipped up "
              "to line 4");
    EXPECT_EQ(r.records[1].raw.size(), Record::kRawPrefixBytes);
    EXPECT_EQ(r.records[1].raw.substr(0, 4), "2,xx");
    EXPECT_TRUE(r.records[1].fields.empty());
    // The newlines inside quotes do not end the oversized record.
    EXPECT_EQ(r.records[2].line, 4);
    EXPECT_NE(r.records[2].error.find("skipped up to line 7"), std::string::npos)
        << r.records[2].error;
    EXPECT_EQ(r.records[3].line, 7);
    EXPECT_EQ(r.records[3].fields, (Fields{"4", "fine"}));
    EXPECT_EQ(r.records[4].line, 8);
    EXPECT_NE(r.records[4].error.find("the end of the file"), std::string::npos)
        << r.records[4].error;
  }
}

TEST(CsvReaderTest, RecordAtTheLimitIsAccepted) {
  const std::string row = "1," + std::string(1022, 'y');  // 1024 bytes
  Read r = ReadCsv("a,b\r\n" + row + "\r\n", 64, 1024);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_TRUE(r.records[0].error.empty()) << r.records[0].error;
}

TEST(CsvReaderTest, UnterminatedQuoteAtEndOfFile) {
  Read r = ReadCsv("a,b\n1,ok\n2,\"never closed\n3,x\n");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[1].error,
            "unterminated quoted field: the quote opened on line 3 is never closed");
}

TEST(CsvReaderTest, CharacterAfterClosingQuoteRejectsTheRow) {
  Read r = ReadCsv("a,b\n1,\"x\"y\n2,\"ok\"\n3,\"z\"\r4\n");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_NE(r.records[0].error.find("after the closing quote of column 2"), std::string::npos);
  EXPECT_TRUE(r.records[1].error.empty());
  EXPECT_EQ(r.records[1].fields, (Fields{"2", "ok"}));
  EXPECT_NE(r.records[2].error.find("after the closing quote"), std::string::npos);
}

TEST(CsvReaderTest, BareQuoteInsideUnquotedFieldIsKept) {
  Read r = ReadCsv("name,height\nAda,5'10\"\n");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_TRUE(r.records[0].error.empty());
  EXPECT_EQ(r.records[0].fields[1], "5'10\"");
}

TEST(CsvReaderTest, OtherDelimitersAndNoHeader) {
  CsvOptions semi;
  semi.delimiter = ';';
  Read r = ReadCsv("a;b\n\"1;2\";3,4\n", 1 << 16, 1 << 20, semi);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].fields, (Fields{"1;2", "3,4"}));

  CsvOptions tab;
  tab.delimiter = '\t';
  tab.header = false;
  tab.columns = {"x", "y"};
  Read t = ReadCsv("1\t2\n3\t4\n", 1 << 16, 1 << 20, tab);
  EXPECT_EQ(t.columns, (Fields{"x", "y"}));
  ASSERT_EQ(t.records.size(), 2u);
  EXPECT_EQ(t.records[0].line, 1);
  EXPECT_EQ(t.records[1].fields, (Fields{"3", "4"}));

  CsvOptions none;
  none.header = false;
  EXPECT_FALSE(ReadCsv("1,2\n", 16, 1 << 20, none).open.ok());
  CsvOptions quote;
  quote.delimiter = '"';
  EXPECT_FALSE(ReadCsv("1,2\n", 16, 1 << 20, quote).open.ok());
}

TEST(CsvReaderTest, EveryChunkSizeGivesTheSameRecords) {
  const std::string text =
      "\xEF\xBB\xBFid,\"na\"\"me\",note\r\n"
      "1,\"a\r\nb\",x\r\n"
      "\r\n"
      "2,\"\"\"\",y\ry\n"
      "3,caf\xC3\xA9,\"q\"z\n"
      "4,\"multi\n\nline\",\n"
      "5,a,b,c\n"
      "6,\"end\"";
  Read whole = ReadCsv(text);
  ASSERT_TRUE(whole.open.ok());
  ASSERT_EQ(whole.records.size(), 6u);
  for (size_t chunk = 1; chunk <= 16; ++chunk) {
    SCOPED_TRACE(chunk);
    Read r = ReadCsv(text, chunk);
    EXPECT_EQ(r.columns, whole.columns);
    ASSERT_EQ(r.records.size(), whole.records.size());
    for (size_t i = 0; i < r.records.size(); ++i) {
      EXPECT_EQ(r.records[i].line, whole.records[i].line);
      EXPECT_EQ(r.records[i].fields, whole.records[i].fields);
      EXPECT_EQ(r.records[i].raw, whole.records[i].raw);
      EXPECT_EQ(r.records[i].error, whole.records[i].error);
    }
  }
  EXPECT_EQ(whole.columns, (Fields{"id", "na\"me", "note"}));
  EXPECT_EQ(whole.records[1].fields, (Fields{"2", "\"", "y\ry"}));
  EXPECT_EQ(whole.records[3].line, 7);
  EXPECT_EQ(whole.records[4].error, "the row has 4 columns; the header has 3");
  EXPECT_EQ(whole.records[5].line, 11);
}

}  // namespace
}  // namespace rapport
