// A small synchronous HTTP/1.1 client over one keep-alive connection (Boost.Beast), for tests
// that drive a real server on a real socket. Not thread-safe: one client per thread.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace chartroom::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  int status = 0;
  Headers headers;
  std::string body;

  // The value of a header (case-insensitive name); empty when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // The body parsed as JSON (null when it is not JSON).
  boost::json::value json() const;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  // Sends one request. A body gets Content-Type application/fhir+json unless `headers` set one.
  HttpResult Send(std::string_view method, std::string_view target, std::string_view body = {},
                  const Headers& headers = {});
  HttpResult Get(std::string_view target, const Headers& headers = {}) {
    return Send("GET", target, {}, headers);
  }
  HttpResult Post(std::string_view target, std::string_view body, const Headers& headers = {}) {
    return Send("POST", target, body, headers);
  }
  HttpResult Put(std::string_view target, std::string_view body, const Headers& headers = {}) {
    return Send("PUT", target, body, headers);
  }
  HttpResult Delete(std::string_view target, const Headers& headers = {}) {
    return Send("DELETE", target, {}, headers);
  }
  HttpResult Patch(std::string_view target, std::string_view body,
                   const Headers& headers = {{"Content-Type", "application/json-patch+json"}}) {
    return Send("PATCH", target, body, headers);
  }
  // Writes `bytes` as they are (a hand-made, possibly malformed request) and reads one response.
  HttpResult SendRaw(std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chartroom::test
