#pragma once
// Paths the softcot tests read and write.
#include <filesystem>
#include <fstream>
#include <string>

namespace softcot::test {

inline std::string shared_path(const std::string& relative) {
  return std::string(SOFTCOT_SHARED_DIR) + "/" + relative;
}
inline std::string source_path(const std::string& relative) {
  return std::string(SOFTCOT_SOURCE_DIR) + "/" + relative;
}
inline std::string qwen_tokenizer_path() { return shared_path("data/tokenizers/qwen3/tokenizer.json"); }

// A fresh directory under the build tree's test-tmp for one test.
inline std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::path(SOFTCOT_TEST_TMP) / "softcot" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace softcot::test
