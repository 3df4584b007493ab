#include <gtest/gtest.h>

#include <cstring>

#include "core/mapped_file.h"
#include "io/safetensors.h"
#include "io_test_util.h"

namespace softcot::io {
namespace {
using test::expect_error;
using test::safetensors_bytes;

std::vector<TensorView> parse(const std::string& bytes) {
  return parse_safetensors("x.safetensors", reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(Safetensors, ParsesAHandBuiltFile) {
  // 16-byte header (8-aligned data), a BF16 [2, 1] tensor then an F32 scalar.
  const std::string header = R"({"a":{"dtype":"BF16","shape":[2,1],"data_offsets":[0,4]},)"
                             R"("s":{"dtype":"F32","shape":[],"data_offsets":[4,8]}})";
  std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  const std::string data("\x80\x3f\x00\x40" "\x00\x00\x40\x40", 8);  // bf16 1, 2; f32 3
  alignas(8) char buffer[256];
  const std::string file = safetensors_bytes(padded, data);
  std::memcpy(buffer, file.data(), file.size());
  const auto views = parse_safetensors("f", reinterpret_cast<uint8_t*>(buffer), file.size());
  ASSERT_EQ(views.size(), 2u);
  const auto& a = views[0].name == "a" ? views[0] : views[1];
  const auto& s = views[0].name == "a" ? views[1] : views[0];
  EXPECT_EQ(a.dtype, DType::kBF16);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(a.numel(), 2);
  EXPECT_EQ(a.nbytes, 4u);
  EXPECT_EQ(static_cast<const char*>(a.data), buffer + 8 + padded.size());  // a view, not a copy
  uint16_t two;
  std::memcpy(&two, static_cast<const char*>(a.data) + 2, 2);
  EXPECT_EQ(two, 0x4000);  // bf16 2.0
  EXPECT_EQ(s.shape.size(), 0u);
  EXPECT_EQ(s.numel(), 1);
  float three;
  std::memcpy(&three, s.data, 4);
  EXPECT_EQ(three, 3.0f);
}

TEST(Safetensors, WriteThenReadRoundTrips) {
  const std::string dir = test::fresh_dir("safetensors_roundtrip");
  const std::string path = dir + "/t.safetensors";
  std::vector<TensorToWrite> tensors = {
      {"z.first", DType::kF16, {3}, {1, 2, 3, 4, 5, 6}},
      {"a.second", DType::kF32, {1, 2}, {1, 2, 3, 4, 5, 6, 7, 8}},
  };
  write_safetensors(path, tensors, {{"format", "pt"}});
  const std::string bytes = test::read_bytes(path);
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  EXPECT_EQ((8 + header_len) % 8, 0u) << "data section must start 8-byte aligned";
  EXPECT_NE(bytes.find(R"("__metadata__":{"format":"pt"})"), std::string::npos);
  // The 4-byte F32 tensor goes first, so both tensors are aligned to their elements.
  EXPECT_EQ(bytes.substr(8 + header_len), std::string("\1\2\3\4\5\6\7\10\1\2\3\4\5\6", 14));

  const WeightFiles files = WeightFiles::open_file(path);
  EXPECT_EQ(files.tensors().size(), 2u);
  EXPECT_EQ(files.total_bytes(), 14u);
  const TensorView& f = files.get_checked("a.second", {1, 2});
  EXPECT_EQ(f.dtype, DType::kF32);
  EXPECT_EQ(std::memcmp(f.data, "\1\2\3\4\5\6\7\10", 8), 0);
  EXPECT_EQ(f.file, path);
}

TEST(Safetensors, RejectsAFileShorterThanTheLengthField) {
  expect_error([] { parse(std::string("\x10\0\0", 3)); }, "x.safetensors", "shorter than the 8-byte");
}

TEST(Safetensors, RejectsATruncatedHeader) {
  const std::string file = safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "");
  expect_error([&] { parse(file.substr(0, 30)); }, "x.safetensors", "is truncated: the file has only 22 bytes after the length");
}

TEST(Safetensors, RejectsAnOversizedHeaderLength) {
  std::string file = safetensors_bytes("{}", "");
  const uint64_t huge = 200ull * 1000 * 1000;
  std::memcpy(file.data(), &huge, 8);
  expect_error([&] { parse(file); }, "x.safetensors", "exceeds the 100 MB limit");
  const uint64_t absurd = ~0ull;  // would overflow 8 + length
  std::memcpy(file.data(), &absurd, 8);
  expect_error([&] { parse(file); }, "x.safetensors", "exceeds the 100 MB limit");
}

TEST(Safetensors, RejectsOffsetsPastTheEndOfTheFile) {
  const std::string file =
      safetensors_bytes(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, '\0'));
  expect_error([&] { parse(file); }, "x.safetensors", "point past the end of the file (8 data bytes)");
}

TEST(Safetensors, RejectsShapeAndByteCountMismatch) {
  const std::string file =
      safetensors_bytes(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'));
  expect_error([&] { parse(file); }, "x.safetensors", "tensor 'a' of shape [3] and dtype F32 needs 12 bytes");
}

TEST(Safetensors, RejectsShapesWhoseProductOverflows) {
  const std::string file = safetensors_bytes(
      R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", "");
  expect_error([&] { parse(file); }, "x.safetensors", "needs more bytes than the file holds");
}

TEST(Safetensors, RejectsUnsupportedDtypes) {
  const std::string file =
      safetensors_bytes(R"({"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0'));
  expect_error([&] { parse(file); }, "x.safetensors", "tensor 'ids' has dtype I64, expected one of F32, F16, BF16");
}

TEST(Safetensors, RejectsOverlappingTensors) {
  const std::string file = safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                             std::string(12, '\0'));
  expect_error([&] { parse(file); }, "x.safetensors", "overlaps");
}

TEST(Safetensors, RejectsMalformedHeaders) {
  expect_error([] { parse(safetensors_bytes("{not json", "")); }, "x.safetensors", "not valid JSON");
  expect_error([] { parse(safetensors_bytes("[1,2]", "")); }, "x.safetensors", "not a JSON object");
  expect_error([] { parse(safetensors_bytes(R"({"a":{"dtype":"F32"}})", "")); }, "x.safetensors",
               "needs dtype, shape and data_offsets");
  expect_error([] { parse(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", "")); },
               "x.safetensors", "not a count");
  expect_error([] { parse(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})",
                                            std::string(8, '\0'))); },
               "x.safetensors", "begin <= end");
}

TEST(Safetensors, RejectsMisalignedData) {
  // A 7-byte header puts the data section at offset 15: odd for a 2-byte dtype.
  const std::string header = R"({"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}} )";
  std::string h = header.substr(0, header.size() - 1);
  if ((8 + h.size()) % 2 == 0) h += ' ';
  alignas(8) char buffer[128];
  const std::string file = safetensors_bytes(h, std::string(2, '\0'));
  std::memcpy(buffer, file.data(), file.size());
  expect_error([&] { parse_safetensors("x.safetensors", reinterpret_cast<uint8_t*>(buffer), file.size()); },
               "x.safetensors", "not aligned");
}

TEST(Safetensors, MissingTensorAndWrongShapeNameTheFile) {
  const std::string dir = test::fresh_dir("safetensors_lookup");
  const std::string path = dir + "/t.safetensors";
  write_safetensors(path, {{"w", DType::kBF16, {2, 2}, std::vector<uint8_t>(8)}});
  const WeightFiles files = WeightFiles::open_file(path);
  expect_error([&] { files.get("v"); }, path, "tensor 'v' is missing");
  expect_error([&] { files.get_checked("w", {4}); }, path, "tensor 'w' has shape [2, 2], expected [4]");
}

TEST(Safetensors, UnreadableFileIsAOneLineError) {
  expect_error([] { WeightFiles::open_file("/nonexistent/m.safetensors"); }, "/nonexistent/m.safetensors",
               "cannot open");
}

}  // namespace
}  // namespace softcot::io
