#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace chartroom::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// A plain synchronous client over one keep-alive connection.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  bhttp::response<bhttp::string_body> Send(bhttp::verb method, std::string target,
                                           std::string body = "", bool keep_alive = true) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "localhost");
    req.set(bhttp::field::content_type, "application/json");
    req.keep_alive(keep_alive);
    req.body() = std::move(body);
    req.prepare_payload();
    bhttp::write(stream_, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream_, buffer_, res);
    return res;
  }

  void WriteRaw(std::string_view bytes) { net::write(stream_, net::buffer(bytes)); }

  bhttp::response<bhttp::string_body> ReadResponse() {
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream_, buffer_, res);
    return res;
  }

 private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.max_body_bytes = 1024;
  options.shutdown_grace = std::chrono::seconds(5);
  return options;
}

Response Echo(const Request& req) {
  Response r;
  r.status = 200;
  r.SetHeader("Content-Type", "text/plain");
  const Header* ct = req.header("content-TYPE");
  r.body = req.method + " " + std::string(req.path()) + " ?" + std::string(req.query()) + " " +
           (ct != nullptr ? ct->value : "-") + " " + req.body;
  return r;
}

TEST(ServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  auto server = Server::Start(TestOptions(), Echo);
  ASSERT_TRUE(server.has_value()) << server.error().message();
  ASSERT_NE((*server)->port(), 0);
  Client client((*server)->port());

  auto first = client.Send(bhttp::verb::get, "/fhir/Patient?name=x&_count=2");
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), "GET /fhir/Patient ?name=x&_count=2 application/json ");
  EXPECT_TRUE(first.keep_alive());

  auto second = client.Send(bhttp::verb::post, "/fhir/Patient", R"({"resourceType":"Patient"})");
  EXPECT_EQ(second.body(), R"(POST /fhir/Patient ? application/json {"resourceType":"Patient"})");
}

TEST(ServerTest, RejectsBodiesOverTheLimitWithoutCallingTheHandler) {
  std::atomic<int> calls = 0;
  auto server = Server::Start(TestOptions(), [&](const Request& req) {
    ++calls;
    return Echo(req);
  });
  ASSERT_TRUE(server.has_value());
  Client client((*server)->port());
  auto res = client.Send(bhttp::verb::post, "/fhir/Patient", std::string(4096, 'x'));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, AnswersMalformedRequestsWith400) {
  auto server = Server::Start(TestOptions(), Echo);
  ASSERT_TRUE(server.has_value());
  Client client((*server)->port());
  client.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().result_int(), 400);
}

TEST(ServerTest, TurnsHandlerExceptionsInto500) {
  auto server = Server::Start(TestOptions(),
                              [](const Request&) -> Response { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server.has_value());
  Client client((*server)->port());
  EXPECT_EQ(client.Send(bhttp::verb::get, "/").result_int(), 500);
}

TEST(ServerTest, FailsToBindAPortInUse) {
  auto first = Server::Start(TestOptions(), Echo);
  ASSERT_TRUE(first.has_value());
  ServerOptions options = TestOptions();
  options.port = (*first)->port();
  auto second = Server::Start(options, Echo);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), "http.bind-failed");
}

TEST(ServerTest, StopLetsTheRequestInFlightFinishAndRefusesNewConnections) {
  std::promise<void> entered;
  std::promise<void> release;
  auto release_future = release.get_future().share();
  auto server = Server::Start(TestOptions(), [&](const Request& req) {
    if (req.path() == "/slow") {
      entered.set_value();
      release_future.wait();
    }
    return Echo(req);
  });
  ASSERT_TRUE(server.has_value());
  std::uint16_t port = (*server)->port();
  Client idle(port);  // an idle keep-alive connection must not hold up the stop
  ASSERT_EQ(idle.Send(bhttp::verb::get, "/warm").result_int(), 200);

  auto slow = std::async(std::launch::async, [port] {
    Client client(port);
    return client.Send(bhttp::verb::get, "/slow");
  });
  entered.get_future().wait();
  auto stopper = std::async(std::launch::async, [&] { (*server)->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release.set_value();
  auto response = slow.get();
  stopper.get();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());  // told to close: the server is stopping

  net::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "the listener should be closed";
}

TEST(ServerTest, ServesTlsWithAConfiguredCertificate) {
  auto dir =
      std::filesystem::temp_directory_path() / ("chartroom-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cert = (dir / "cert.pem").string();
  std::string key = (dir / "key.pem").string();
  std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 1 -subj /CN=localhost -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << "openssl is needed to make a test certificate";

  ServerOptions options = TestOptions();
  options.tls_certificate_file = cert;
  options.tls_private_key_file = key;
  auto server = Server::Start(options, Echo);
  ASSERT_TRUE(server.has_value()) << server.error().message();
  EXPECT_TRUE((*server)->tls());

  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_verify_mode(net::ssl::verify_none);  // self-signed test certificate
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), (*server)->port()));
  stream.handshake(net::ssl::stream_base::client);
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/secure", 11};
  req.set(bhttp::field::host, "localhost");
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body().rfind("GET /secure", 0), 0u);

  ServerOptions bad = TestOptions();
  bad.tls_certificate_file = (dir / "missing.pem").string();
  bad.tls_private_key_file = key;
  auto refused = Server::Start(bad, Echo);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), "http.tls-config");
  std::filesystem::remove_all(dir);
}

TEST(ServerTest, ReasonPhrasesComeFromTheStandard) {
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(412), "Precondition Failed");
  EXPECT_EQ(ReasonPhrase(99), "Unknown");
}

}  // namespace
}  // namespace chartroom::http
