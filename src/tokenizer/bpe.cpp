#include "tokenizer/bpe.h"

#include <bit>
#include <climits>
#include <queue>

namespace softcot::tokenizer {

void MergeTable::reserve(size_t count) {
  size_t capacity = std::bit_ceil(std::max<size_t>(16, count * 2));  // load factor <= 0.5
  entries_.assign(capacity, Entry{});
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  size_ = 0;
}

bool MergeTable::insert(int32_t left, int32_t right, Merge merge) {
  if ((size_ + 1) * 2 > entries_.size()) {
    std::vector<Entry> old = std::move(entries_);
    reserve(std::max<size_t>(size_ + 1, old.size()));
    for (const Entry& e : old) {
      if (e.key != kEmpty) insert(static_cast<int32_t>(e.key >> 32), static_cast<int32_t>(e.key), e.merge);
    }
  }
  const uint64_t key = pack(left, right);
  for (size_t slot = hash(key);; slot = (slot + 1) & mask_) {
    Entry& e = entries_[slot];
    if (e.key == key) return false;
    if (e.key == kEmpty) {
      e.key = key;
      e.merge = merge;
      ++size_;
      return true;
    }
  }
}

BpeModel::BpeModel(std::array<int32_t, 256> byte_ids, MergeTable merges, bool ignore_merges,
                   std::unordered_map<std::string, int32_t> whole_word_ids)
    : byte_ids_(byte_ids), merges_(std::move(merges)), ignore_merges_(ignore_merges),
      whole_word_ids_(std::move(whole_word_ids)) {}

// Quadratic, but with no allocation: the fastest way for the short pieces of real text.
void BpeModel::merge_short(std::vector<int32_t>& symbols) const {
  while (symbols.size() > 1) {
    int32_t best_rank = INT_MAX, best_id = -1;
    size_t best = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto* m = merges_.find(symbols[i], symbols[i + 1]);
      if (m && m->rank < best_rank) {
        best_rank = m->rank;
        best_id = m->merged_id;
        best = i;
      }
    }
    if (best_id < 0) return;
    symbols[best] = best_id;
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
}

// HF's algorithm for long pieces: a heap of candidate merges ordered by (rank, position)
// over a linked list of symbols; entries made stale by earlier merges are skipped.
void BpeModel::merge_long(std::vector<int32_t>& symbols) const {
  const int n = static_cast<int>(symbols.size());
  std::vector<int> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (int i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  struct Candidate {
    int32_t rank;
    int pos;
    int32_t merged_id;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  const auto push_pair = [&](int left) {
    if (left < 0 || next[left] < 0) return;
    if (const auto* m = merges_.find(symbols[left], symbols[next[left]])) {
      heap.push({m->rank, left, m->merged_id});
    }
  };
  for (int i = 0; i + 1 < n; ++i) push_pair(i);
  while (!heap.empty()) {
    const Candidate top = heap.top();
    heap.pop();
    if (!alive[top.pos] || next[top.pos] < 0) continue;
    const auto* m = merges_.find(symbols[top.pos], symbols[next[top.pos]]);
    if (!m || m->merged_id != top.merged_id) continue;  // stale
    const int right = next[top.pos];
    symbols[top.pos] = top.merged_id;
    alive[right] = false;
    next[top.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = top.pos;
    push_pair(prev[top.pos]);
    push_pair(top.pos);
  }
  size_t out = 0;
  for (int i = 0; i >= 0 && i < n; i = next[i]) symbols[out++] = symbols[i];
  symbols.resize(out);
}

void BpeModel::encode_piece(std::string_view bytes, std::vector<int32_t>& out) const {
  const bool cacheable = bytes.size() <= kCacheMaxWordBytes;
  if (cacheable) {
    std::shared_lock lock(cache_mutex_);
    const auto it = cache_.find(bytes);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  thread_local std::vector<int32_t> symbols;
  symbols.clear();
  const auto whole = ignore_merges_ ? whole_word_ids_.find(std::string(bytes)) : whole_word_ids_.end();
  if (whole != whole_word_ids_.end()) {
    symbols.push_back(whole->second);
  } else {
    for (const char c : bytes) {
      const int32_t id = byte_ids_[static_cast<uint8_t>(c)];
      if (id >= 0) symbols.push_back(id);
    }
    if (symbols.size() <= 32) {
      merge_short(symbols);
    } else {
      merge_long(symbols);
    }
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
  if (cacheable) {
    std::unique_lock lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) cache_.try_emplace(std::string(bytes), symbols);
  }
}

}  // namespace softcot::tokenizer
