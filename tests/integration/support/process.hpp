// A `chartroom` process started by a test, with its stderr read through a pipe, for tests that
// run the binary itself (signals, crashes, exit codes).
//
// Thread safety: one Process belongs to one test thread.

#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chartroom::test {

// Starts CHARTROOM_BINARY with `args`, the test's environment plus `extra_env` ("NAME=value"),
// stdout to /dev/null. The destructor kills (SIGKILL) and reaps a process still running.
class Process {
 public:
  explicit Process(const std::vector<std::string>& args,
                   const std::vector<std::string>& extra_env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Reads stderr until `needle` appears or `timeout` passes; true when it appeared.
  bool WaitFor(std::string_view needle, std::chrono::seconds timeout);
  // Waits for the exit; the exit code, or -1 on timeout or a signal.
  int Wait(std::chrono::seconds timeout);
  // Sends SIGKILL and reaps the process.
  void Kill();

  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }

 private:
  void Drain();

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  bool exited_ = false;
  std::string output_;
};

// The port a server announced on stderr ("listening on port N"); 0 when it has not.
std::uint16_t PortFrom(const std::string& output);

}  // namespace chartroom::test
