// A fresh directory under the system temporary directory for one test, removed with its contents
// at the end. Shared by the store tests that need real database files.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace guardfeed::testing {

class StoreTempDir {
 public:
  StoreTempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "guardfeed-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~StoreTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  StoreTempDir(const StoreTempDir&) = delete;
  StoreTempDir& operator=(const StoreTempDir&) = delete;

  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace guardfeed::testing
