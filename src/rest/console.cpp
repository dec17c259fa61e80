#include "rest/console.hpp"

#include <fstream>
#include <sstream>

#include "rest/error_response.hpp"

namespace chartroom::rest {
namespace {

std::string_view ContentType(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

Reply NotFound(std::string message) {
  return ErrorReply(Error(ErrorCategory::kNotFound, "rest.unknown-route", std::move(message)));
}

}  // namespace

bool IsConsolePath(std::string_view path) {
  for (std::string_view api :
       {"/fhir", "/api", "/auth", "/mpi", "/privacy", "/metrics", "/healthz", "/.well-known"}) {
    if (path == api ||
        (path.starts_with(api) && path.size() > api.size() && path[api.size()] == '/')) {
      return false;
    }
  }
  return path.starts_with("/");
}

Reply ServeConsole(const std::filesystem::path& dir, const http::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return ErrorReply(Error(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                            "the console's files take GET"));
  }
  std::string_view path = request.path();
  if (path.find("..") != std::string_view::npos || path.find('\\') != std::string_view::npos ||
      path.find('\0') != std::string_view::npos) {
    return NotFound("no such file");
  }
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::filesystem::path file = dir / (path.empty() ? "index.html" : std::string(path));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    // A route of the single-page app (no extension) is the app itself.
    if (std::filesystem::path(std::string(path)).has_extension()) return NotFound("no such file");
    file = dir / "index.html";
    if (!std::filesystem::is_regular_file(file, ec)) {
      return NotFound("the web console is not built here (make builds it into web/dist)");
    }
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return NotFound("no such file");
  Reply reply;
  reply.kind = BodyKind::kText;
  reply.content_type = std::string(ContentType(file));
  reply.body = request.method == "HEAD" ? std::string() : bytes.str();
  const bool hashed = path.starts_with("assets/");
  reply.headers.push_back(
      {"Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-store"});
  reply.headers.push_back(
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-src blob:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"});
  reply.headers.push_back({"X-Content-Type-Options", "nosniff"});
  reply.headers.push_back({"Referrer-Policy", "no-referrer"});
  reply.headers.push_back({"X-Frame-Options", "DENY"});
  return reply;
}

}  // namespace chartroom::rest
