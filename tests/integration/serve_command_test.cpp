// `chartroom serve` as a process: it starts on a free port, serves, and shuts down gracefully on
// SIGTERM and SIGINT with exit code 0; a bad configuration exits 2 naming every problem.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"

extern char** environ;

namespace chartroom::test {
namespace {

namespace fs = std::filesystem;

// A running `chartroom` process whose stderr is read through a pipe.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> all = {CHARTROOM_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, CHARTROOM_BINARY, &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    stderr_fd_ = fds[0];
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(stderr_fd_);
  }

  // Reads stderr until `needle` appears or `timeout` passes; true when it appeared.
  bool WaitFor(std::string_view needle, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (output_.find(needle) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{stderr_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buffer[4096];
      const ssize_t n = ::read(stderr_fd_, buffer, sizeof buffer);
      if (n <= 0) return output_.find(needle) != std::string::npos;
      output_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }

  // Waits for the exit; the exit code, or -1 on timeout or a signal.
  int Wait(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        Drain();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  // Reads stderr to its end (the process has exited, so the pipe is closed).
  void Drain() {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(stderr_fd_, buffer, sizeof buffer);
      if (n <= 0) return;
      output_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  bool exited_ = false;
  std::string output_;
};

std::uint16_t PortFrom(const std::string& output) {
  const std::string marker = "listening on port ";
  const std::size_t at = output.find(marker);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(output.substr(at + marker.size())));
}

class ServeCommandTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("serve-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_P(ServeCommandTest, ServesAndShutsDownGracefullyOnTheSignal) {
  Process server({"serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"},
                 {"CHARTROOM_LOG_LEVEL=info"});
  ASSERT_TRUE(server.WaitFor("listening on port", std::chrono::seconds(30))) << server.output();
  const std::uint16_t port = PortFrom(server.output());
  ASSERT_NE(port, 0);
  {
    HttpClient client(port);
    EXPECT_EQ(client.Get("/healthz").status, 200);
    EXPECT_EQ(client.Put("/fhir/Patient/s1", R"({"resourceType":"Patient","id":"s1"})").status,
              201);
  }
  ASSERT_EQ(::kill(server.pid(), GetParam()), 0);
  EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 0) << server.output();
  EXPECT_NE(server.output().find("\"event\":\"stopped\""), std::string::npos) << server.output();
  // The key file is private, and the data is there for the next start.
  EXPECT_EQ(fs::status(dir_ / "master.key").permissions() & fs::perms::others_read,
            fs::perms::none);
  Process again({"serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(again.WaitFor("listening on port", std::chrono::seconds(30))) << again.output();
  HttpClient client(PortFrom(again.output()));
  EXPECT_EQ(client.Get("/fhir/Patient/s1").status, 200);
  ::kill(again.pid(), SIGTERM);
  EXPECT_EQ(again.Wait(std::chrono::seconds(30)), 0);
}

INSTANTIATE_TEST_SUITE_P(Signals, ServeCommandTest, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& signal) {
                           return std::string(signal.param == SIGTERM ? "SIGTERM" : "SIGINT");
                         });

TEST(ServeCommandConfigTest, ABadConfigurationExits2NamingEveryProblem) {
  Process server({"serve", "--listen", "nowhere"},
                 {"CHARTROOM_STORE_READER_CONNECTIONS=0", "CHARTROOM_LOG_LEVEL=loud"});
  EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 2);
  for (const char* problem : {"store.reader_connections", "listen", "log.level"}) {
    EXPECT_NE(server.output().find(problem), std::string::npos) << server.output();
  }
  Process usage({"serve", "--bogus"});
  EXPECT_EQ(usage.Wait(std::chrono::seconds(30)), 2);
}

}  // namespace
}  // namespace chartroom::test
