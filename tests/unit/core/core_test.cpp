#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "core/digest.h"
#include "core/error.h"
#include "core/half.h"
#include "core/json_file.h"
#include "core/philox.h"
#include "core/thread_pool.h"

namespace softcot {

TEST(Half, Bf16RoundsToNearestEven) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  // 1 + 2^-8 is exactly between two bf16 values: ties go to the even mantissa (1.0).
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
  EXPECT_EQ(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
  EXPECT_FLOAT_EQ(bf16_to_f32(0x4049), 3.140625f);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(NAN))));
}

TEST(Half, F16RoundTripsEveryValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_f16(f), h) << "h=" << h;
  }
  EXPECT_FLOAT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_FLOAT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
}

TEST(Philox, MatchesPublishedKnownAnswer) {
  // Random123's kat_vectors: philox4x32_10, counter and key all 0xffffffff / 0xffffffff.
  const auto out = Philox::round_trip({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                                      {0xffffffffu, 0xffffffffu});
  EXPECT_EQ(out[0], 0x408f276du);
  EXPECT_EQ(out[1], 0x41c83b0eu);
  EXPECT_EQ(out[2], 0xa20bc7c6u);
  EXPECT_EQ(out[3], 0x6d5451fdu);
}

TEST(Philox, StreamsDependOnEveryKeyPart) {
  std::set<uint32_t> seen;
  for (uint32_t sample = 0; sample < 4; ++sample)
    for (uint32_t seq = 0; seq < 4; ++seq)
      for (uint32_t step = 0; step < 4; ++step)
        seen.insert(Philox::draw({42, sample, seq}, step)[0]);
  EXPECT_EQ(seen.size(), 64u);
  const float u = Philox::uniform({1, 2, 3}, 4);
  EXPECT_GE(u, 0.0f);
  EXPECT_LT(u, 1.0f);
}

TEST(ThreadPool, CoversEveryIndexOnceAcrossManyJobs) {
  ThreadPool pool(4);
  for (int round = 0; round < 200; ++round) {
    const int64_t n = 1 + round * 37;
    std::vector<std::atomic<int>> hits(n);
    pool.parallel_for(n, 3, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "round " << round;
  }
}

TEST(Digest, KnownValues) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(crc32_of("123456789", 9), 0xCBF43926u);
}

// Found by fuzz_tokenizer_json: 1e309 made nlohmann throw out_of_range, not parse_error, and
// it escaped read_json_file (tokenizer.json, config.json ...) and terminated the process.
TEST(JsonFile, ANumberBeyondDoubleIsInvalidJsonNamingTheFile) {
  std::filesystem::create_directories(SOFTCOT_TEST_TMP);
  const std::string path = std::string(SOFTCOT_TEST_TMP) + "/huge_number.json";
  std::ofstream(path) << "{\"hidden_size\": 1e309}";
  try {
    read_json_file(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
    EXPECT_EQ(std::string(e.what()).rfind(path + ": invalid JSON: ", 0), 0u) << e.what();
  }
}

TEST(Error, OneLineWithSubjectAndExitCode) {
  const Error e = bad_input("/m/config.json", "key 'hidden_size' is missing");
  EXPECT_STREQ(e.what(), "/m/config.json: key 'hidden_size' is missing");
  EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
  EXPECT_EQ(usage_error("x").exit_code(), exit_code::kUsage);
}

}  // namespace softcot
