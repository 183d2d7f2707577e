#include "import/reject_sink.h"

#include <utility>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "import/utf8.h"

namespace rapport {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void AppendCsvField(std::string* out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

std::string RejectJson(const Reject& reject) {
  std::string out = fmt::format("{{\"line\":{},\"reason\":", reject.line);
  AppendJsonString(&out, ToValidUtf8(reject.reason));
  out.append(",\"row\":");
  AppendJsonString(&out, ToValidUtf8(reject.raw));
  out.push_back('}');
  return out;
}

FileRejectSink::FileRejectSink(std::string path, Env* env)
    : path_(std::move(path)), env_(env ? env : Env::Default()), csv_(EndsWith(path_, ".csv")) {}

FileRejectSink::~FileRejectSink() { (void)Flush(); }

Status FileRejectSink::Write(const Reject& reject) {
  if (!file_) {
    auto file = env_->OpenAppendable(path_);
    if (!file.ok()) return file.status().WithContext("cannot create the rejects file");
    file_ = std::move(*file);
    RETURN_IF_ERROR(file_->Truncate(0));
    if (csv_) buffer_.append("line,reason,row\n");
  }
  if (csv_) {
    buffer_.append(std::to_string(reject.line));
    buffer_.push_back(',');
    AppendCsvField(&buffer_, reject.reason);
    buffer_.push_back(',');
    AppendCsvField(&buffer_, reject.raw);
    buffer_.push_back('\n');
  } else {
    buffer_.append(RejectJson(reject));
    buffer_.push_back('\n');
  }
  ++count_;
  if (buffer_.size() >= kBufferBytes) return Flush();
  return Status::OK();
}

Status FileRejectSink::Flush() {
  if (!file_ || buffer_.empty()) return Status::OK();
  Status s = file_->Append(buffer_);
  buffer_.clear();
  return s;
}

Status MemoryRejectSink::Write(const Reject& reject) {
  ++count_;
  if (rejects_.size() < keep_) rejects_.push_back(reject);
  return Status::OK();
}

}  // namespace rapport
