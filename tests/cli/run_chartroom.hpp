// Runs this build's `chartroom` binary as a user would, for the command tests: its exit code,
// standard output and standard error, with `--data DIR` appended.

#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace chartroom::cli {

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `chartroom ARGUMENTS --data DATA`.
inline Ran RunChartroom(const std::string& arguments, const std::filesystem::path& data) {
  static std::atomic<int> runs{0};
  const std::filesystem::path err =
      std::filesystem::temp_directory_path() /
      ("chartroom-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(runs++));
  const std::string command = std::string(CHARTROOM_BINARY) + " " + arguments + " --data " +
                              data.string() + " 2>" + err.string();
  Ran ran;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    ran.out.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  ran.err.assign(std::istreambuf_iterator<char>(in), {});
  std::filesystem::remove(err);
  return ran;
}

}  // namespace chartroom::cli
