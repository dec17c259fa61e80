#include "cli/cli.hpp"

int main(int argc, char** argv) { return chartroom::cli::Run(argc, argv); }
