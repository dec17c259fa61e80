#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

namespace chartroom::test {
namespace {

std::atomic<int> server_counter{0};

core::Timestamp Start() {
  return core::Timestamp(std::chrono::sys_days(std::chrono::year(2024) / 3 / 1)) +
         std::chrono::hours(9);
}

}  // namespace

TestServer::TestServer(const std::function<void(app::Config&)>& adjust)
    : clock_(Start()), random_(42 + static_cast<std::uint64_t>(server_counter.load())) {
  dir_ = std::filesystem::path(::testing::TempDir()) /
         ("chartroom-it-" + std::to_string(::getpid()) + "-" + std::to_string(server_counter++));
  std::filesystem::remove_all(dir_);
  config_.data_dir = dir_;
  config_.listen = "127.0.0.1:0";
  config_.server.threads = 2;
  config_.server.shutdown_grace = std::chrono::seconds(5);
  config_.log.level = "debug";
  // The interactions' own tests trust every caller; access_test.cpp turns enforcement on.
  config_.access.enforce = "off";
  if (adjust) adjust(config_);
  Restart();
}

TestServer::~TestServer() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void TestServer::Stop() {
  if (app_) app_->Stop();
  app_.reset();
}

void TestServer::Restart() {
  Stop();
  app::Seams seams;
  seams.clock = &clock_;
  seams.random = &random_;
  seams.log_sink = [this](std::string_view line) {
    std::lock_guard lock(log_mutex_);
    log_.emplace_back(line);
  };
  auto started = app::App::Start(config_, seams);
  if (!started) {
    ADD_FAILURE() << "the server did not start: " << started.error().code() << ": "
                  << started.error().message();
    std::abort();
  }
  app_ = std::move(*started);
}

std::vector<std::string> TestServer::LogLines() const {
  std::lock_guard lock(log_mutex_);
  return log_;
}

const boost::json::value* At(const boost::json::value& v, std::string_view path) {
  const boost::json::value* current = &v;
  while (!path.empty() && current != nullptr) {
    const std::size_t dot = path.find('.');
    const std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (current->is_object()) {
      current = current->get_object().if_contains(part);
    } else if (current->is_array()) {
      std::size_t index = 0;
      for (char c : part) index = index * 10 + static_cast<std::size_t>(c - '0');
      current = index < current->get_array().size() ? &current->get_array()[index] : nullptr;
    } else {
      current = nullptr;
    }
  }
  return current;
}

std::string Str(const boost::json::value& v, std::string_view path) {
  const boost::json::value* at = At(v, path);
  if (at == nullptr) return "<absent>";
  if (at->is_string()) return std::string(at->get_string());
  if (at->is_int64()) return std::to_string(at->get_int64());
  if (at->is_bool()) return at->get_bool() ? "true" : "false";
  return "<not a string>";
}

std::string IssueCode(const boost::json::value& outcome) {
  if (Str(outcome, "resourceType") != "OperationOutcome") return "";
  return Str(outcome, "issue.0.details.coding.0.code");
}

std::string IdOf(const HttpResult& result) { return Str(result.json(), "id"); }

}  // namespace chartroom::test
