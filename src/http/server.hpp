// An HTTP/1.1 server: keep-alive, optional TLS, request size limits, graceful shutdown. It knows
// nothing of FHIR: it turns bytes into a Request, calls the one Handler it was given, and writes
// the Response back. Routing, authentication and error bodies belong to the caller.
//
// Threading: Start() runs `threads` I/O threads. The handler is called on those threads, possibly
// concurrently for different connections, so it must be thread-safe; requests on one connection
// are handled one after another. A handler may block (a database read, a commit) — the other
// threads keep serving — but long work belongs elsewhere.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace chartroom::http {

struct Header {
  std::string name;
  std::string value;
};

// Finds a header by case-insensitive name; nullptr when absent.
const Header* FindHeader(const std::vector<Header>& headers, std::string_view name);

struct Request {
  std::string method;  // "GET", "POST" ... as sent
  std::string target;  // origin-form: path and query, not decoded, e.g. "/fhir/Patient?name=x"
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;  // peer IP, for audit

  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // after '?', or empty
  const Header* header(std::string_view name) const { return FindHeader(headers, name); }
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  Response& SetHeader(std::string name, std::string value);
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  // Address to listen on; "0.0.0.0" for every interface.
  std::string host = "127.0.0.1";
  // 0 picks a free port (tests); Server::port() tells which.
  std::uint16_t port = 8080;
  // I/O threads; 0 means one per hardware thread.
  unsigned threads = 0;
  // Larger request bodies get 413 without reaching the handler.
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  // Requests whose header block is larger get 431.
  std::size_t max_header_bytes = 64 * 1024;
  // A connection idle (or trickling a request) this long is closed.
  std::chrono::seconds idle_timeout{30};
  // PEM files; TLS is on when both are set.
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  // On Stop(), how long in-flight requests may take to finish.
  std::chrono::seconds shutdown_grace{10};
};

class Server {
 public:
  // Binds, listens and starts the I/O threads. Fails with kUnavailable ("http.bind-failed")
  // when the address cannot be bound, kInvalid ("http.tls-config") when the TLS files cannot be
  // loaded.
  [[nodiscard]] static Result<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                             Handler handler);
  ~Server();  // Stop()s if still running.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful when options.port was 0).
  std::uint16_t port() const;
  bool tls() const;

  // Graceful shutdown: stops accepting, lets requests in flight finish (up to shutdown_grace),
  // closes idle keep-alive connections, and joins the I/O threads. Idempotent; thread-safe.
  void Stop();
  // Blocks until Stop() has completed (from another thread or a signal watcher).
  void Wait();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The reason phrase of a status code ("Not Found"); "Unknown" for codes it does not know.
std::string_view ReasonPhrase(int status);

}  // namespace chartroom::http
