#include "server/console.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace rapport {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTotalBytes = size_t{64} << 20;

std::string ContentType(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

void AddSecurityHeaders(HttpResponse* r) {
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
  r->headers.emplace_back("X-Frame-Options", "DENY");
  r->headers.emplace_back("Content-Security-Policy",
                          "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
                          "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'");
}

bool HasIndex(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / "index.html", ec);
}

}  // namespace

Result<std::unique_ptr<ConsoleFiles>> ConsoleFiles::Load(const std::string& dir) {
  if (!HasIndex(dir)) {
    return Status::NotFound(fmt::format("{} holds no index.html (is the console built?)", dir));
  }
  auto out = std::make_unique<ConsoleFiles>();
  out->built_ = true;
  size_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    if (!in && !in.eof())
      return Status::IOError(fmt::format("cannot read {}", it->path().string()));
    total += body.str().size();
    if (total > kMaxTotalBytes) {
      return Status::TooLarge(fmt::format("{} holds over 64 MB: not a built console", dir));
    }
    const std::string url = "/" + fs::relative(it->path(), dir, ec).generic_string();
    out->files_[url] = {ContentType(it->path()), body.str()};
  }
  if (ec) return Status::IOError(fmt::format("cannot list {}: {}", dir, ec.message()));
  return out;
}

std::unique_ptr<ConsoleFiles> ConsoleFiles::NotBuilt(const std::string& looked_in) {
  auto out = std::make_unique<ConsoleFiles>();
  out->files_["/index.html"] = {
      "text/html; charset=utf-8",
      fmt::format(
          "<!doctype html><meta charset=utf-8><title>Rapport</title>"
          "<h1>The console is not built</h1>"
          "<p>This server answers the API, but it found no built console ({}). Run "
          "<code>make</code> in the Rapport checkout (it runs <code>npm ci &amp;&amp; npm run "
          "build</code> in <code>web/</code>), or point <code>--console</code> / "
          "<code>RAPPORT_CONSOLE</code> at a built <code>web/dist</code>, then restart.</p>",
          looked_in.empty() ? "looked beside the binary and in ./web/dist" : looked_in)};
  return out;
}

std::string ConsoleFiles::Locate(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path bin = exe.parent_path();
    for (const fs::path& dir : {bin / "../../../web/dist", bin / "../share/rapport/console"}) {
      if (HasIndex(dir)) return fs::weakly_canonical(dir, ec).string();
    }
  }
  return HasIndex("web/dist") ? fs::absolute("web/dist", ec).string() : "";
}

HttpResponse ConsoleFiles::Serve(const std::string& path) const {
  // The app routes itself in the URL fragment (#/profiles/p42): only `/` is the app.
  const std::string key = path == "/" ? "/index.html" : path;
  auto it = files_.find(key);
  HttpResponse r;
  if (it == files_.end()) {
    r = HttpResponse::Error(404, "not_found", fmt::format("no such endpoint: GET {}", path));
  } else {
    r.status = built_ ? 200 : 503;
    r.content_type = it->second.content_type;
    r.body = it->second.body;
    r.headers.emplace_back("Cache-Control", key.rfind("/assets/", 0) == 0
                                                ? "public, max-age=31536000, immutable"
                                                : "no-cache");
  }
  AddSecurityHeaders(&r);
  return r;
}

}  // namespace rapport
