// ConsoleFiles: the web console (web/, built into web/dist) served at `/`. Every file of the
// built directory is read into memory when the server starts (a few hundred KB) and answered
// with its content type; `/` answers index.html (the app routes itself in the URL fragment),
// any other path that is not a file is the API's JSON 404; files under /assets/ (names carry a
// content hash) may be cached for a year, index.html must be revalidated. Security headers on every
// answer: nosniff, a Content Security Policy allowing only this origin (inline styles for the
// charts), no referrer, no framing. When the console was not built, `/` answers a page saying how
// to build it. Immutable after Load; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/http_types.h"

namespace rapport {

class ConsoleFiles {
 public:
  // Reads every regular file under `dir` (kNotFound when dir has no index.html; kTooLarge past
  // 64 MB in all).
  static Result<std::unique_ptr<ConsoleFiles>> Load(const std::string& dir);
  // The page explaining how to build the console (what `/` shows without one).
  static std::unique_ptr<ConsoleFiles> NotBuilt(const std::string& looked_in);

  // The directory to serve: `configured` when set; else the first of
  // <binary>/../../../web/dist (a build tree), <binary>/../share/rapport/console (an install)
  // and ./web/dist holding an index.html; "" when none does.
  static std::string Locate(const std::string& configured);

  // GET/HEAD of `path` (without the query string).
  HttpResponse Serve(const std::string& path) const;
  bool built() const { return built_; }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::map<std::string, File> files_;  // by URL path: "/index.html", "/assets/app-1a2b.js"
  bool built_ = false;
};

}  // namespace rapport
