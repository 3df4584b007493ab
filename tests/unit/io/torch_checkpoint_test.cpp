#include <gtest/gtest.h>
#include <zip.h>

#include <cmath>
#include <filesystem>

#include "core/json_file.h"
#include "io/torch_checkpoint.h"
#include "io/torch_pickle.h"
#include "io_test_util.h"

namespace softcot::io {
namespace {
namespace fs = std::filesystem;
using test::expect_error;

const std::string kProjections = std::string(SOFTCOT_SHARED_DIR) + "/data/projection";

// A torch-style archive written with libzip: entries stored uncompressed, like torch.
void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& entries) {
  fs::remove(path);
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(zip, nullptr);
  for (const auto& [name, bytes] : entries) {
    zip_source_t* source = zip_source_buffer(zip, bytes.data(), bytes.size(), 0);
    const zip_int64_t index = zip_file_add(zip, name.c_str(), source, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0);
    zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(zip), 0);
}

// Every "<stem>.expected.json" in `dir` against "<stem>.bin": shapes, dtype, and the
// tensors element for element. Returns how many fixtures it checked.
int check_fixtures(const std::string& dir) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 14 || name.substr(name.size() - 14) != ".expected.json") continue;
    const std::string stem = name.substr(0, name.size() - 14);
    SCOPED_TRACE(stem);
    const Json expected = read_json_file(entry.path().string());
    const Projection p = load_projection(dir + "/" + stem + ".bin");
    // The shared f32 fixture's json has only the tensors; its name says 32x48 (in x out).
    const int64_t in = expected.value("in_features", int64_t{32});
    const int64_t out = expected.value("out_features", int64_t{48});
    EXPECT_EQ(p.in_features, in);
    EXPECT_EQ(p.out_features, out);
    const std::string dtype = expected.value("dtype", std::string("float32"));
    EXPECT_EQ(p.dtype, dtype == "bfloat16" ? DType::kBF16 : dtype == "float16" ? DType::kF16 : DType::kF32);
    EXPECT_EQ(p.weight.dtype, p.dtype);
    const auto weight = expected["weight_f32"].get<std::vector<float>>();
    const auto bias = expected["bias_f32"].get<std::vector<float>>();
    EXPECT_EQ(p.weight.to_f32(), weight);  // exact: the same floats, element for element
    EXPECT_EQ(p.bias.to_f32(), bias);
    if (expected.contains("x_f32")) {
      // torch's bf16 nn.Linear output: ours in f32 agrees to bf16 rounding.
      const auto x = expected["x_f32"].get<std::vector<float>>();
      const auto y = expected["y_f32"].get<std::vector<float>>();
      const int64_t rows = static_cast<int64_t>(x.size()) / in;
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t o = 0; o < out; ++o) {
          double acc = bias[o];
          for (int64_t i = 0; i < in; ++i) acc += x[r * in + i] * weight[o * in + i];
          EXPECT_NEAR(acc, y[r * out + o], 4e-3) << "row " << r << " out " << o;
        }
      }
    }
    ++checked;
  }
  return checked;
}

TEST(Projection, MatchesEverySharedFixtureExactly) {
  EXPECT_EQ(check_fixtures(kProjections), 2);  // written by torch 1.13, bf16 and f32
}

TEST(Projection, MatchesTorch2FixturesIncludingF16) {
  // tests/oracle/make_projection_fixtures.py with torch 2.x: byteorder and
  // .data/serialization_id entries, HalfStorage.
  EXPECT_EQ(check_fixtures(std::string(SOFTCOT_SOURCE_DIR) + "/tests/unit/io/fixtures"), 2);
}

TEST(Projection, ReadsTheRealSizedQwenProjection) {
  const Projection p = load_projection(kProjections + "/random_projection_896x1536_bf16.bin");
  EXPECT_EQ(p.in_features, 896);   // Qwen2.5-0.5B hidden size
  EXPECT_EQ(p.out_features, 1536); // Qwen2.5-1.5B hidden size
  EXPECT_EQ(p.dtype, DType::kBF16);
  EXPECT_EQ(p.weight.shape, (std::vector<int64_t>{1536, 896}));
  // nn.Linear's init: U(-1/sqrt(in), 1/sqrt(in)), so |w| <= 0.0334 and std = bound / sqrt(3).
  const double bound = 1.0 / std::sqrt(896.0);
  double sum = 0, sum_sq = 0;
  const auto w = p.weight.to_f32();
  for (float v : w) {
    ASSERT_TRUE(std::isfinite(v));
    ASSERT_LE(std::abs(v), bound * 1.01);
    sum += v;
    sum_sq += double(v) * v;
  }
  EXPECT_NEAR(sum / w.size(), 0.0, 1e-3);
  EXPECT_NEAR(std::sqrt(sum_sq / w.size()), bound / std::sqrt(3.0), 1e-3);
  for (float v : p.bias.to_f32()) ASSERT_LE(std::abs(v), bound * 1.01);
}

TEST(Projection, TruncatedOrCorruptArchivesAreOneLineErrors) {
  const std::string dir = test::fresh_dir("projection_corrupt");
  const std::string good = test::read_bytes(kProjections + "/tiny_projection_32x48_f32.bin");
  for (size_t keep : {good.size() / 2, good.size() - 10, size_t{100}}) {
    const std::string path = dir + "/truncated_" + std::to_string(keep) + ".bin";
    test::write_bytes(path, good.substr(0, keep));
    expect_error([&] { load_projection(path); }, path, "not a readable torch zip archive");
  }
  // A flipped byte inside the weight storage: the entry's CRC no longer matches.
  std::string flipped = good;
  const size_t data0 = flipped.find("data/0") + 6 + 100;  // past the local header name
  flipped[data0] ^= 0x5a;
  test::write_bytes(dir + "/flipped.bin", flipped);
  expect_error([&] { load_projection(dir + "/flipped.bin"); }, dir + "/flipped.bin", "is corrupt");
  test::write_bytes(dir + "/empty.bin", "");
  expect_error([&] { load_projection(dir + "/empty.bin"); }, dir + "/empty.bin", "too short");
  test::write_bytes(dir + "/text.bin", "this is not a projection at all");
  expect_error([&] { load_projection(dir + "/text.bin"); }, dir + "/text.bin", "safetensors");
  expect_error([&] { load_projection(dir + "/absent.bin"); }, dir + "/absent.bin", "cannot open");
}

// Protocol-2 pickle pieces, written by hand from the opcode table.
std::string binunicode(const std::string& s) {
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out += static_cast<char>(s.size() >> (8 * i));
  return out + s;
}

// OrderedDict{name: _rebuild_tensor_v2(('storage', torch.FloatStorage, key, 'cpu', numel),
// offset, size, stride, False, OrderedDict())} for each tensor.
std::string state_dict_pickle(const std::vector<std::tuple<std::string, std::string, int, std::vector<int>,
                                                           std::vector<int>, int>>& tensors) {
  std::string p = "\x80\x02" "ccollections\nOrderedDict\nq";
  p += '\0';  // BINPUT 0: the OrderedDict global, recalled for each empty backward_hooks
  p += ")R(";
  for (const auto& [name, key, numel, size, stride, offset] : tensors) {
    p += binunicode(name);
    p += "ctorch._utils\n_rebuild_tensor_v2\n(";
    p += "(" + binunicode("storage") + "ctorch\nFloatStorage\n" + binunicode(key) + binunicode("cpu");
    p += "M" + std::string(1, char(numel & 0xff)) + char(numel >> 8) + "tQ";
    p += "K" + std::string(1, char(offset));
    p += "(";
    for (int s : size) p += "K" + std::string(1, char(s));
    p += "t(";
    for (int s : stride) p += "K" + std::string(1, char(s));
    p += "t\x89h";
    p += std::string(1, '\0') + ")RtR";
  }
  return p + "u.";
}

std::string floats(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}

TEST(Projection, HandWrittenPickleWithAStridedWeight) {
  // weight is the transpose of a [3, 2] storage: stride (1, 2), so row o = storage[o], storage[o + 3]...
  // with offset 0; bias starts at element 1 of its storage.
  const std::string dir = test::fresh_dir("projection_strided");
  const std::string pkl = state_dict_pickle({{"weight", "0", 6, {3, 2}, {1, 3}, 0},
                                             {"bias", "1", 4, {3}, {1}, 1}});
  write_zip(dir + "/p.bin", {{"p/data.pkl", pkl},
                             {"p/data/0", floats({1, 2, 3, 4, 5, 6})},
                             {"p/data/1", floats({9, 10, 11, 12})},
                             {"p/version", "3\n"}});
  const Projection p = load_projection(dir + "/p.bin");
  EXPECT_EQ(p.in_features, 2);
  EXPECT_EQ(p.out_features, 3);
  EXPECT_EQ(p.weight.to_f32(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(p.bias.to_f32(), (std::vector<float>{10, 11, 12}));
}

TEST(Projection, PicklesOutsideTheAllowlistAreRefused) {
  const std::string dir = test::fresh_dir("projection_hostile");
  // pickle of os.system('true'): must be refused before anything runs.
  write_zip(dir + "/evil.bin", {{"p/data.pkl", "\x80\x02" "cos\nsystem\n" + binunicode("true") + "\x85R."}});
  expect_error([&] { load_projection(dir + "/evil.bin"); }, dir + "/evil.bin",
               "data.pkl: global 'os system' is not allowed in a state dict");
  // A tensor whose view reaches past its storage.
  write_zip(dir + "/oob.bin", {{"p/data.pkl", state_dict_pickle({{"weight", "0", 6, {3, 3}, {3, 1}, 0},
                                                                 {"bias", "0", 6, {3}, {1}, 0}})},
                               {"p/data/0", floats({1, 2, 3, 4, 5, 6})}});
  expect_error([&] { load_projection(dir + "/oob.bin"); }, dir + "/oob.bin", "reaches past its storage");
  // A storage entry shorter than the pickle claims.
  write_zip(dir + "/short.bin", {{"p/data.pkl", state_dict_pickle({{"weight", "0", 6, {3, 2}, {2, 1}, 0},
                                                                   {"bias", "0", 6, {3}, {1}, 0}})},
                                 {"p/data/0", floats({1, 2, 3})}});
  expect_error([&] { load_projection(dir + "/short.bin"); }, dir + "/short.bin", "the pickle says 24");
  // A pickle cut short.
  const std::string pkl = state_dict_pickle({{"weight", "0", 6, {3, 2}, {2, 1}, 0}});
  write_zip(dir + "/cut.bin", {{"p/data.pkl", pkl.substr(0, pkl.size() / 2)}});
  expect_error([&] { load_projection(dir + "/cut.bin"); }, dir + "/cut.bin", "truncated pickle");
  write_zip(dir + "/big.bin", {{"p/data.pkl", pkl}, {"p/byteorder", "big"}});
  expect_error([&] { load_projection(dir + "/big.bin"); }, dir + "/big.bin", "storages are big-endian");
  write_zip(dir + "/nopkl.bin", {{"p/other", "x"}});
  expect_error([&] { load_projection(dir + "/nopkl.bin"); }, dir + "/nopkl.bin", "no data.pkl");
}

TEST(Projection, ReadsSafetensorsWithTheSameKeys) {
  const std::string dir = test::fresh_dir("projection_safetensors");
  const std::vector<uint8_t> w = {0x80, 0x3f, 0x00, 0x40, 0x40, 0x40, 0x80, 0x40};  // bf16 1, 2, 3, 4
  write_safetensors(dir + "/p.safetensors", {{"weight", DType::kBF16, {2, 2}, w},
                                             {"bias", DType::kBF16, {2}, {0x00, 0xbf, 0x00, 0x3f}}});
  const Projection p = load_projection(dir + "/p.safetensors");
  EXPECT_EQ(p.weight.to_f32(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(p.bias.to_f32(), (std::vector<float>{-0.5f, 0.5f}));
  write_safetensors(dir + "/q.safetensors", {{"proj.weight", DType::kF32, {1, 1}, std::vector<uint8_t>(4)}});
  expect_error([&] { load_projection(dir + "/q.safetensors"); }, dir + "/q.safetensors",
               "needs tensors 'weight' and 'bias' (an nn.Linear state dict); found 'proj.weight'");
  write_safetensors(dir + "/r.safetensors", {{"weight", DType::kF32, {2, 1}, std::vector<uint8_t>(8)},
                                             {"bias", DType::kF32, {3}, std::vector<uint8_t>(12)}});
  expect_error([&] { load_projection(dir + "/r.safetensors"); }, dir + "/r.safetensors",
               "weight [2, 1] and bias [3] are not [out, in] and [out]");
}

}  // namespace
}  // namespace softcot::io
