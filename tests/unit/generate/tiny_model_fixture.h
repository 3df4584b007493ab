#pragma once
// Test helpers shared by the model and generate suites: rebuild a fixture's tiny model
// with the softcot binary (same flags and seed -> same bytes as the HF side saw), and
// read the raw float32 fixture files written by tests/oracle/make_model_fixtures.py.
#include <cstdlib>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace softcot::testing {

inline std::string oracle_dir() { return std::string(SOFTCOT_SOURCE_DIR) + "/tests/oracle/fixtures"; }
inline std::string qwen_tokenizer() {
  return std::string(SOFTCOT_SHARED_DIR) + "/data/tokenizers/qwen3/tokenizer.json";
}

inline std::string llama_tokenizer() {
  return std::string(SOFTCOT_SHARED_DIR) + "/data/tokenizers/llama3_1_instruct/tokenizer.json";
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw io_error(path, "cannot open");
  return nlohmann::json::parse(in);
}

inline std::vector<float> read_f32(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw io_error(path, "cannot open");
  std::vector<float> values(static_cast<size_t>(in.tellg()) / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));
  return values;
}

// Makes (once per flag set) the model directory for `flags` under the test tmp dir.
inline std::string make_tiny_model(const std::string& name, const std::vector<std::string>& flags,
                                   const std::string& tokenizer = qwen_tokenizer()) {
  std::string args = " --tokenizer " + tokenizer;
  for (const auto& f : flags) args += " " + f;
  const std::string dir = std::string(SOFTCOT_TEST_TMP) + "/tiny-models/" + name;
  const std::string stamp = dir + "/.flags";
  {
    std::ifstream in(stamp);
    std::string seen;
    if (in && std::getline(in, seen)) {
      if (seen == args) return dir;
      in.close();
      std::filesystem::remove_all(dir);  // made with other flags by an older test version
    }
  }
  // CTest runs tests in parallel processes: build in a private folder, then rename it
  // into place; whoever renames first wins and the others use that copy.
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path());
  const std::string building = dir + ".building." + std::to_string(::getpid());
  const std::string command = std::string(SOFTCOT_BINARY) + " make-tiny-model --out " + building +
                              args + " > /dev/null";
  if (std::system(command.c_str()) != 0) throw failure(command, "failed");
  std::ofstream(building + "/.flags") << args << "\n";
  std::error_code renamed;
  std::filesystem::rename(building, dir, renamed);
  if (renamed) std::filesystem::remove_all(building);
  return dir;
}

}  // namespace softcot::testing
