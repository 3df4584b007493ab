#pragma once
// Byte-level BPE: a piece's bytes start as one symbol each and the adjacent pair with the
// lowest merge rank is merged (leftmost first on ties) until no pair has a merge, exactly
// as HF's BPE model does. Words are cached, as HF does, since text repeats them a lot.
#include <array>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace softcot::tokenizer {

// Open-addressing hash map from a pair of token ids to (rank, merged id): the inner loop
// of BPE is these lookups, so they are one multiply and usually one probe.
class MergeTable {
 public:
  struct Merge {
    int32_t rank = -1;
    int32_t merged_id = -1;
  };
  void reserve(size_t count);
  // Returns false if the pair was already present (the first, lower rank stays).
  bool insert(int32_t left, int32_t right, Merge merge);
  const Merge* find(int32_t left, int32_t right) const {
    const uint64_t key = pack(left, right);
    for (size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      const Entry& e = entries_[slot];
      if (e.key == key) return &e.merge;
      if (e.key == kEmpty) return nullptr;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Entry {
    uint64_t key = kEmpty;
    Merge merge;
  };
  static uint64_t pack(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  size_t hash(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }
  std::vector<Entry> entries_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

class BpeModel {
 public:
  // byte_ids[b] = the id of the single-byte token for byte b (-1 when the vocabulary lacks
  // it: HF drops such bytes silently when there is no unk token, and so do we).
  // `whole_word_ids` is used only with ignore_merges (Llama-3): a piece that is itself a
  // vocabulary entry is that entry, merges or not.
  BpeModel(std::array<int32_t, 256> byte_ids, MergeTable merges, bool ignore_merges,
           std::unordered_map<std::string, int32_t> whole_word_ids);

  void encode_piece(std::string_view bytes, std::vector<int32_t>& out) const;

 private:
  void merge_short(std::vector<int32_t>& symbols) const;
  void merge_long(std::vector<int32_t>& symbols) const;

  std::array<int32_t, 256> byte_ids_;
  MergeTable merges_;
  bool ignore_merges_;
  std::unordered_map<std::string, int32_t> whole_word_ids_;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr size_t kCacheCapacity = 100000;  // words; beyond it, nothing is added
  static constexpr size_t kCacheMaxWordBytes = 64;
  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>>
      cache_;
};

}  // namespace softcot::tokenizer
