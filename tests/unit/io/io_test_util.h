#pragma once
// Helpers for the io tests: fresh temp directories, raw files, one-line error checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace softcot::io::test {

inline std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::path(SOFTCOT_TEST_TMP) / "io" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A safetensors file by hand, straight from the format's definition: u64 LE header
// length, the JSON header, then the data section.
inline std::string safetensors_bytes(const std::string& header_json, const std::string& data) {
  std::string out(8, '\0');
  uint64_t n = header_json.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(n >> (8 * i));
  return out + header_json + data;
}

// Runs `fn`, expects a softcot::Error whose one-line message names `file` and contains
// `reason`; returns the message.
inline std::string expect_error(const std::function<void()>& fn, const std::string& file,
                                const std::string& reason) {
  try {
    fn();
  } catch (const softcot::Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.rfind(file + ": ", 0), 0u) << "does not start with the file: " << message;
    EXPECT_NE(message.find(reason), std::string::npos) << "no '" << reason << "' in: " << message;
    return message;
  }
  ADD_FAILURE() << "no error; expected one about " << reason;
  return "";
}

}  // namespace softcot::io::test
