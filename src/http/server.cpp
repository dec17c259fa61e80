#include "http/server.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace chartroom::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

const Header* FindHeader(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& h : headers) {
    if (beast::iequals(h.name, name)) return &h;
  }
  return nullptr;
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

Response& Response::SetHeader(std::string name, std::string value) {
  for (Header& h : headers) {
    if (beast::iequals(h.name, name)) {
      h.value = std::move(value);
      return *this;
    }
  }
  headers.push_back({std::move(name), std::move(value)});
  return *this;
}

std::string_view ReasonPhrase(int status) {
  if (status < 100 || status > 999) return "Unknown";
  std::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  return reason.empty() ? "Unknown" : reason;
}

namespace {

// A connection's state as seen by Stop(): idle connections are closed at once, busy ones finish
// their request first.
struct Connection {
  net::any_io_executor strand;      // the connection's strand; close_now runs only on it
  std::function<void()> close_now;  // closes the socket; valid while !done
  bool done = false;                // set on the strand when the session ends
  std::atomic<bool> busy{false};    // a request is being handled

  // Closes the connection from any thread: on its strand, and only if it is still open.
  static void Close(const std::shared_ptr<Connection>& c) {
    net::post(c->strand, [c] {
      if (!c->done) c->close_now();
    });
  }
};

bhttp::response<bhttp::string_body> ToBeast(Response&& response, unsigned version,
                                            bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), version};
  for (Header& h : response.headers) out.insert(h.name, h.value);
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

Request FromBeast(bhttp::request<bhttp::string_body>&& in, std::string remote) {
  Request req;
  req.method = std::string(in.method_string());
  req.target = std::string(in.target());
  req.headers.reserve(static_cast<size_t>(std::distance(in.begin(), in.end())));
  for (const auto& field : in) {
    req.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  req.body = std::move(in.body());
  req.remote_address = std::move(remote);
  return req;
}

Response PlainError(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.SetHeader("Content-Type", "text/plain; charset=utf-8");
  r.body = std::string(message) + "\n";
  return r;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  net::io_context ioc;
  std::optional<net::ssl::context> ssl;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;

  std::mutex mu;
  std::condition_variable cv;
  std::list<std::shared_ptr<Connection>> connections;  // guarded by mu
  bool stopping = false;                               // guarded by mu
  bool stopped = false;                                // guarded by mu

  Impl(ServerOptions opts, Handler h) : options(std::move(opts)), handler(std::move(h)) {}

  bool IsStopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  net::awaitable<void> Listen() {
    for (;;) {
      auto strand = net::make_strand(ioc);
      auto [ec, socket] = co_await acceptor.async_accept(strand, net::as_tuple(net::use_awaitable));
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;  // e.g. too many open files: keep listening
      }
      socket.set_option(tcp::no_delay(true));
      if (ssl) {
        net::co_spawn(strand,
                      ServeTls(beast::ssl_stream<beast::tcp_stream>(std::move(socket), *ssl)),
                      net::detached);
      } else {
        net::co_spawn(strand, Serve(beast::tcp_stream(std::move(socket))), net::detached);
      }
    }
  }

  net::awaitable<void> ServeTls(beast::ssl_stream<beast::tcp_stream> stream) {
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server,
                                                net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    co_await Serve(std::move(stream));
  }

  template <typename Stream>
  net::awaitable<void> Serve(Stream stream) {
    auto& lowest = beast::get_lowest_layer(stream);
    std::string remote;
    {
      beast::error_code ec;
      auto endpoint = lowest.socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    auto connection = std::make_shared<Connection>();
    connection->strand = lowest.get_executor();
    connection->close_now = [&lowest] {
      beast::error_code ignored;
      lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
      lowest.socket().close(ignored);
    };
    std::list<std::shared_ptr<Connection>>::iterator registration;
    {
      std::lock_guard lock(mu);
      if (stopping) co_return;
      registration = connections.insert(connections.end(), connection);
    }

    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      lowest.expires_after(options.idle_timeout);
      auto [read_ec, n] =
          co_await bhttp::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
      (void)n;
      std::optional<Response> early;
      if (read_ec == bhttp::error::body_limit) {
        early = PlainError(413, "request body too large");
      } else if (read_ec == bhttp::error::header_limit) {
        early = PlainError(431, "request header fields too large");
      } else if (read_ec == bhttp::error::end_of_stream ||
                 read_ec == net::error::operation_aborted || read_ec == beast::error::timeout ||
                 read_ec == net::error::connection_reset || read_ec == net::error::eof) {
        break;
      } else if (read_ec) {
        early = PlainError(400, "malformed HTTP request");
      }

      bool keep_alive = false;
      unsigned version = 11;
      Response response;
      if (early) {
        response = std::move(*early);
      } else {
        connection->busy = true;
        auto message = parser.release();
        keep_alive = message.keep_alive();
        version = message.version();
        try {
          response = handler(FromBeast(std::move(message), remote));
        } catch (const std::exception&) {
          // The handler is meant to turn every failure into a response; this is the last resort.
          response = PlainError(500, "internal error");
        }
      }
      if (IsStopping()) keep_alive = false;
      lowest.expires_after(options.idle_timeout);
      auto out = ToBeast(std::move(response), version, keep_alive);
      auto [write_ec, written] =
          co_await bhttp::async_write(stream, out, net::as_tuple(net::use_awaitable));
      (void)written;
      connection->busy = false;
      if (write_ec || !keep_alive) break;
    }
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    } else {
      lowest.expires_after(std::chrono::seconds(2));
      co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
    }
    connection->done = true;
    {
      std::lock_guard lock(mu);
      connections.erase(registration);
    }
    cv.notify_all();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  if (!options.tls_certificate_file.empty() || !options.tls_private_key_file.empty()) {
    try {
      impl->ssl.emplace(net::ssl::context::tls_server);
      impl->ssl->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                             net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                             net::ssl::context::no_tlsv1_1);
      impl->ssl->use_certificate_chain_file(options.tls_certificate_file);
      impl->ssl->use_private_key_file(options.tls_private_key_file, net::ssl::context::pem);
    } catch (const std::exception& e) {
      return Fail(ErrorCategory::kInvalid, "http.tls-config",
                  std::string("cannot load the TLS certificate or key: ") + e.what());
    }
  }
  beast::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (ec) {
    return Fail(ErrorCategory::kInvalid, "http.bad-address", "not an IP address: " + options.host);
  }
  tcp::endpoint endpoint{address, options.port};
  auto& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(ErrorCategory::kUnavailable, "http.bind-failed",
                "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                    ec.message());
  }
  net::co_spawn(impl->ioc, impl->Listen(), net::detached);
  unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->ioc.run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

bool Server::tls() const { return impl_->ssl.has_value(); }

void Server::Stop() {
  Impl& s = *impl_;
  {
    std::unique_lock lock(s.mu);
    if (s.stopping) {
      s.cv.wait(lock, [&] { return s.stopped; });
      return;
    }
    s.stopping = true;
    for (auto& c : s.connections) {
      if (!c->busy) Connection::Close(c);
    }
  }
  net::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
  });
  {
    std::unique_lock lock(s.mu);
    s.cv.wait_for(lock, s.options.shutdown_grace, [&] { return s.connections.empty(); });
  }
  s.ioc.stop();
  for (auto& t : s.threads) {
    if (t.joinable()) t.join();
  }
  {
    std::lock_guard lock(s.mu);
    s.stopped = true;
  }
  s.cv.notify_all();
}

void Server::Wait() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace chartroom::http
