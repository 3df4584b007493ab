#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), the
// counter-based generator of cuRAND and JAX. A sample's random stream is a pure
// function of (seed, sample index, sequence index, step), so a sample draws the same
// numbers whatever ran before it, after a restart, on CPU or on GPU.
#include <array>
#include <cstdint>

namespace softcot {

struct PhiloxKey {
  uint64_t seed = 0;
  uint32_t sample_index = 0;
  uint32_t sequence_index = 0;
};

class Philox {
 public:
  using Block = std::array<uint32_t, 4>;

  static constexpr Block round_trip(Block counter, std::array<uint32_t, 2> key) {
    for (int round = 0; round < 10; ++round) {
      const uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * counter[0];
      const uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * counter[2];
      counter = {static_cast<uint32_t>(p1 >> 32) ^ counter[1] ^ key[0], static_cast<uint32_t>(p1),
                 static_cast<uint32_t>(p0 >> 32) ^ counter[3] ^ key[1], static_cast<uint32_t>(p0)};
      key[0] += 0x9E3779B9u;
      key[1] += 0xBB67AE85u;
    }
    return counter;
  }

  // Four 32-bit words for (key, step, lane); lane lets one step draw more than 4 words.
  static constexpr Block draw(const PhiloxKey& k, uint32_t step, uint32_t lane = 0) {
    const std::array<uint32_t, 2> key{static_cast<uint32_t>(k.seed),
                                      static_cast<uint32_t>(k.seed >> 32)};
    return round_trip({k.sample_index, k.sequence_index, step, lane}, key);
  }

  // A float in [0, 1) with 24 random bits, the convention of torch and cuRAND.
  static constexpr float to_unit_float(uint32_t word) {
    return static_cast<float>(word >> 8) * (1.0f / 16777216.0f);
  }

  static constexpr float uniform(const PhiloxKey& k, uint32_t step) {
    return to_unit_float(draw(k, step)[0]);
  }
};

}  // namespace softcot
