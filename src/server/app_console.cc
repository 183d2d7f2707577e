// App's console and first start (app.h): serving the built web console at `/`, and the admin
// token a first start creates so a newcomer is one click from the console.
#include <spdlog/spdlog.h>

#include "govern/control_store.h"
#include "server/app.h"
#include "server/console.h"
#include "server/router.h"

namespace rapport {

Status App::LoadConsole() {
  const std::string dir = ConsoleFiles::Locate(config_.console_dir);
  auto loaded = dir.empty() ? Result<std::unique_ptr<ConsoleFiles>>(
                                  Status::NotFound("no built console beside the binary or in "
                                                   "./web/dist"))
                            : ConsoleFiles::Load(dir);
  if (loaded.ok()) {
    console_ = std::move(*loaded);
    spdlog::info("console: serving {} at /", dir);
  } else if (!config_.console_dir.empty()) {
    return loaded.status().WithContext("[server] console");  // asked for, and not there
  } else {
    spdlog::warn("console not served: {}; run `make` to build web/", loaded.status().message());
    console_ = ConsoleFiles::NotBuilt(dir);
  }
  router_->SetFallback(
      [this](HttpRequest& req, Responder respond) { respond(console_->Serve(req.path)); });
  return Status::OK();
}

Result<std::string> App::FirstStartToken() {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, control_->ListTokens());
  if (!tokens.empty()) return std::string();
  ASSIGN_OR_RETURN(WithSecret<Token> created,
                   control_->CreateToken(Role::kAdmin, "first-start", clock_->NowMicros()));
  return created.secret;
}

}  // namespace rapport
