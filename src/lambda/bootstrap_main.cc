// bootstrap: the entry point of guardfeed's Lambda package (provided.al2023 runs
// $LAMBDA_TASK_ROOT/bootstrap). Linked statically so it needs nothing from the system image; it
// starts `guardfeed lambda` through the dynamic loader shipped in the package, with the package's
// own libraries, so the binary runs whatever glibc the runtime image has (scripts/package-lambda).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#ifndef GUARDFEED_LOADER_NAME
#define GUARDFEED_LOADER_NAME "ld-linux-x86-64.so.2"
#endif

namespace {

// LAMBDA_TASK_ROOT, else the directory this program was started from.
std::string TaskRoot(const char* argv0) {
  const char* root = std::getenv("LAMBDA_TASK_ROOT");
  if (root != nullptr && *root != '\0') return root;
  std::string self = argv0 != nullptr ? argv0 : "";
  size_t slash = self.rfind('/');
  return slash == std::string::npos ? "." : self.substr(0, slash);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string root = TaskRoot(argc > 0 ? argv[0] : nullptr);
  std::string loader = root + "/lib/" GUARDFEED_LOADER_NAME;
  std::string library_path = root + "/lib";
  std::string binary = root + "/guardfeed";
  std::string command = "lambda";
  std::string library_flag = "--library-path";
  std::vector<char*> args = {loader.data(), library_flag.data(), library_path.data(),
                             binary.data(), command.data()};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  // The package's own C.UTF-8 locale, for the glibc it ships (domain lowercasing).
  setenv("LOCPATH", (root + "/locale").c_str(), 1);
  execv(loader.c_str(), args.data());
  std::perror(("bootstrap: cannot run " + loader).c_str());
  return 127;
}
