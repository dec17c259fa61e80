// chartroom_http_load: a closed-loop HTTP/1.1 load generator for the benchmarks of bench/http/,
// for machines without wrk. Each of --connections keep-alive connections sends a GET, waits for
// the response, and sends the next, for --duration seconds after --warmup seconds; paths come
// from --path, or round robin from the lines of --paths FILE. It prints one JSON line: requests,
// requests per second, latency percentiles (ms), non-2xx responses and connection errors.
//
//   chartroom_http_load --port 8080 --connections 64 --duration 10 --path /fhir/Patient/p1

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int connections = 64;
  int threads = 1;
  double duration = 10;
  double warmup = 2;
  std::vector<std::string> paths;
  std::vector<std::string> headers;  // "Name: value", sent with every request
};

struct Shared {
  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
};

struct ConnectionStats {
  std::vector<std::uint32_t> latencies_us;
  std::uint64_t non_2xx = 0;
  std::uint64_t errors = 0;
};

net::awaitable<void> Run(const Options& options, const std::vector<std::string>& requests,
                         Shared& shared, ConnectionStats& stats, std::size_t offset) {
  auto executor = co_await net::this_coro::executor;
  beast::tcp_stream stream(executor);
  auto [connect_ec] = co_await stream.async_connect(
      tcp::endpoint(net::ip::make_address(options.host), options.port),
      net::as_tuple(net::use_awaitable));
  if (connect_ec) {
    ++stats.errors;
    co_return;
  }
  stream.socket().set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  std::size_t next = offset;
  while (!shared.stop.load(std::memory_order_relaxed)) {
    const std::string& request = requests[next++ % requests.size()];
    const auto started = Clock::now();
    auto [write_ec, written] =
        co_await net::async_write(stream, net::buffer(request), net::as_tuple(net::use_awaitable));
    (void)written;
    if (write_ec) {
      ++stats.errors;
      co_return;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);
    auto [read_ec, read] =
        co_await bhttp::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    (void)read;
    if (read_ec) {
      ++stats.errors;
      co_return;
    }
    if (shared.measuring.load(std::memory_order_relaxed)) {
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
      stats.latencies_us.push_back(static_cast<std::uint32_t>(us));
      const unsigned status = parser.get().result_int();
      if (status < 200 || status > 299) ++stats.non_2xx;
    }
  }
}

bool ParseArgs(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (arg == "--host") {
      options.host = value;
    } else if (arg == "--port") {
      options.port = static_cast<unsigned short>(std::stoi(value));
    } else if (arg == "--connections") {
      options.connections = std::stoi(value);
    } else if (arg == "--threads") {
      options.threads = std::stoi(value);
    } else if (arg == "--duration") {
      options.duration = std::stod(value);
    } else if (arg == "--warmup") {
      options.warmup = std::stod(value);
    } else if (arg == "--path") {
      options.paths.push_back(value);
    } else if (arg == "--header") {
      options.headers.push_back(value);
    } else if (arg == "--paths") {
      std::ifstream in(value);
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) options.paths.push_back(line);
      }
    } else {
      return false;
    }
  }
  return !options.paths.empty() && options.connections > 0 && options.threads > 0;
}

double Percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, options)) {
    std::fputs(
        "usage: chartroom_http_load [--host H] [--port P] [--connections N] [--threads T]\n"
        "                           [--duration S] [--warmup S] [--header \"Name: value\"]...\n"
        "                           (--path PATH | --paths FILE)\n",
        stderr);
    return 2;
  }
  std::vector<std::string> requests;
  for (const std::string& path : options.paths) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + options.host +
                          "\r\nAccept: application/fhir+json\r\n";
    for (const std::string& header : options.headers) request += header + "\r\n";
    requests.push_back(request + "\r\n");
  }
  net::io_context ioc(options.threads);
  Shared shared;
  std::vector<ConnectionStats> stats(static_cast<std::size_t>(options.connections));
  for (int c = 0; c < options.connections; ++c) {
    const auto index = static_cast<std::size_t>(c);
    net::co_spawn(net::make_strand(ioc),
                  Run(options, requests, shared, stats[index], index * 7919 % requests.size()),
                  net::detached);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) threads.emplace_back([&] { ioc.run(); });
  std::this_thread::sleep_for(std::chrono::duration<double>(options.warmup));
  shared.measuring = true;
  const auto started = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(options.duration));
  shared.measuring = false;
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  shared.stop = true;
  for (auto& t : threads) t.join();

  std::vector<std::uint32_t> all;
  std::uint64_t non_2xx = 0;
  std::uint64_t errors = 0;
  for (const auto& s : stats) {
    all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
    non_2xx += s.non_2xx;
    errors += s.errors;
  }
  std::sort(all.begin(), all.end());
  std::printf(
      "{\"requests\":%zu,\"seconds\":%.2f,\"requests_per_second\":%.0f,\"p50_ms\":%.3f,"
      "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"non_2xx\":%llu,\"errors\":%llu,"
      "\"connections\":%d,\"threads\":%d}\n",
      all.size(), elapsed, static_cast<double>(all.size()) / elapsed, Percentile(all, 0.50),
      Percentile(all, 0.90), Percentile(all, 0.99), all.empty() ? 0.0 : all.back() / 1000.0,
      static_cast<unsigned long long>(non_2xx), static_cast<unsigned long long>(errors),
      options.connections, options.threads);
  return errors == 0 && non_2xx == 0 ? 0 : 1;
}
