// The digest cache behind the model identity (issue 12): a hit only for unchanged files,
// no entry for a file written while it was hashed, one whole entry from concurrent writers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "core/digest.h"
#include "core/digest_cache.h"

namespace softcot {
namespace {

namespace fs = std::filesystem;

class DigestCache : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(SOFTCOT_TEST_TMP) / ("digest-cache-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "cache");
    setenv("SOFTCOT_CACHE_DIR", (dir_ / "cache").c_str(), 1);
    file_ = (dir_ / "weights.bin").string();
    write("first version");
  }
  void TearDown() override {
    unsetenv("SOFTCOT_CACHE_DIR");
    fs::remove_all(dir_);
  }
  void write(const std::string& text) { std::ofstream(file_, std::ios::trunc) << text; }
  std::string digest(bool* hit, int* computed) {
    return cached_digest("test", {file_}, [&] {
      ++*computed;
      return sha256_file_hex(file_);
    }, hit);
  }
  fs::path dir_;
  std::string file_;
};

TEST_F(DigestCache, HitsOnlyWhileTheFileIsUnchanged) {
  bool hit = true;
  int computed = 0;
  const std::string first = digest(&hit, &computed);
  EXPECT_FALSE(hit);
  EXPECT_EQ(digest(&hit, &computed), first);
  EXPECT_TRUE(hit);
  EXPECT_EQ(computed, 1);
  write("other version");  // same size: only mtime/ctime tell
  const std::string second = digest(&hit, &computed);
  EXPECT_FALSE(hit);
  EXPECT_NE(second, first);
  EXPECT_EQ(second, sha256_file_hex(file_));
}

TEST_F(DigestCache, AFileWrittenWhileItIsHashedIsNotCached) {
  bool hit = false;
  int computed = 0;
  cached_digest("test", {file_}, [&] {
    ++computed;
    const std::string d = sha256_file_hex(file_);
    write("changed meanwhile");
    return d;
  }, &hit);
  digest(&hit, &computed);
  EXPECT_FALSE(hit) << "a digest of a file that changed while it was hashed was cached";
  EXPECT_EQ(computed, 2);
}

TEST_F(DigestCache, ConcurrentWritersLeaveOneWholeEntry) {
  std::vector<std::thread> threads;
  std::vector<std::string> digests(8);
  for (size_t i = 0; i < digests.size(); ++i) {
    threads.emplace_back([&, i] {
      digests[i] = cached_digest("test", {file_}, [&] { return sha256_file_hex(file_); });
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& d : digests) EXPECT_EQ(d, sha256_file_hex(file_));
  size_t entries = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "cache")) {
    if (e.is_regular_file()) {
      ++entries;
      EXPECT_EQ(e.path().extension(), ".json") << "a temporary file was left: " << e.path();
    }
  }
  EXPECT_EQ(entries, 1u);
  bool hit = false;
  int computed = 0;
  digest(&hit, &computed);
  EXPECT_TRUE(hit);
}

}  // namespace
}  // namespace softcot
