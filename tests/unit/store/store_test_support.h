#pragma once
// Shared helpers of the store tests: a fresh folder per test and a typical header.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/checkpoint_writer.h"

namespace softcot::store::testing {

inline std::filesystem::path fresh_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::path(SOFTCOT_TEST_TMP) / "store" / (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline CheckpointHeader test_header(int64_t planned, const std::string& seed = "42") {
  CheckpointHeader header;
  header.run_config_json = R"({"task_name":"gsm8k","seed":)" + seed + "}";
  header.fingerprint.set("model", "Qwen/Qwen2.5-7B-Instruct@abc123");
  header.fingerprint.set("num_thought_tokens", "4");
  header.fingerprint.set("seed", seed);
  header.planned_samples = planned;
  return header;
}

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace softcot::store::testing
