#include "support/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

namespace chartroom::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string HttpResult::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

bool HttpResult::has_header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return true;
  }
  return false;
}

boost::json::value HttpResult::json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

struct HttpClient::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;

  HttpResult Read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 32);
    bhttp::read(stream, buffer, parser);
    auto message = parser.release();
    HttpResult result;
    result.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    result.body = std::move(message.body());
    return result;
  }
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

HttpResult HttpClient::Send(std::string_view method, std::string_view target, std::string_view body,
                            const Headers& headers) {
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(bhttp::field::host, "localhost");
  bool content_type = false;
  for (const auto& [name, value] : headers) {
    request.insert(name, value);
    content_type = content_type || beast::iequals(name, "Content-Type");
  }
  if (!body.empty() && !content_type) {
    request.set(bhttp::field::content_type, "application/fhir+json");
  }
  request.body() = std::string(body);
  request.keep_alive(true);
  request.prepare_payload();
  bhttp::write(impl_->stream, request);
  return impl_->Read();
}

HttpResult HttpClient::SendRaw(std::string_view bytes) {
  net::write(impl_->stream, net::buffer(bytes.data(), bytes.size()));
  return impl_->Read();
}

}  // namespace chartroom::test
