// Status and Result<T>: errors as values on every path user input can reach.
// A Status is OK or carries a code and a message a person can act on. Result<T> holds a
// value or a non-OK Status. Both are cheap to move, not thread-safe to mutate concurrently.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rapport {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // bad input from a user: HTTP 400
  kNotFound,          // HTTP 404
  kAlreadyExists,     // HTTP 409
  kUnauthenticated,   // missing or bad credentials: HTTP 401
  kPermissionDenied,  // valid credentials, wrong role: HTTP 403
  kTooLarge,          // over a size limit: HTTP 413
  kUnavailable,       // temporarily cannot serve (log not writable): HTTP 503
  kCorruption,        // data on disk failed a checksum or parse
  kIOError,           // an operating system I/O call failed
  kNoSpace,           // disk full (ENOSPC): HTTP 503
  kInternal,          // a bug: should never reach a user
};

// Short stable name of a code ("invalid_argument", "io_error", ...).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "ok" or "<code name>: <message>".
  std::string ToString() const;
  // Returns a copy whose message is "<prefix>: <message>"; OK stays OK.
  Status WithContext(std::string_view prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace rapport

#define RAPPORT_CONCAT_INNER(a, b) a##b
#define RAPPORT_CONCAT(a, b) RAPPORT_CONCAT_INNER(a, b)

// Returns from the calling function when `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)       \
  do {                              \
    ::rapport::Status _st = (expr); \
    if (!_st.ok()) return _st;      \
  } while (0)

// Evaluates `expr` (a Result<T>); returns its Status when not OK, else moves the value to `lhs`.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(RAPPORT_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
