#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <fstream>

#include "core/error.h"
#include "test_data.h"
#include "tokenizer/tokenizer.h"

namespace softcot::tokenizer {
namespace {

using testing::loaded;
using testing::read_jsonl;
using testing::shared_path;

// NFC straight from ICU's UTF-16 API: a different path from the tokenizer's own.
std::string reference_nfc(const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* nfc = icu::Normalizer2::getNFCInstance(status);
  icu::UnicodeString normalized = nfc->normalize(icu::UnicodeString::fromUTF8(text), status);
  EXPECT_TRUE(U_SUCCESS(status));
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

void check_encode_cases(const std::string& name) {
  const Tokenizer& tok = loaded(name);
  const auto cases = read_jsonl(shared_path("data/tokenizers/" + name + "/encode_cases.jsonl"));
  ASSERT_GE(cases.size(), 200u);
  size_t exact = 0, changed_by_nfc = 0;
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const auto expected = c["ids"].get<std::vector<int32_t>>();
    const auto ids = tok.encode(text);
    EXPECT_EQ(ids, expected) << "text: " << text;
    exact += ids == expected;
    const std::string nfc = reference_nfc(text);
    changed_by_nfc += nfc != text;
    EXPECT_EQ(tok.decode(ids, false), name == "qwen3" ? nfc : text) << "text: " << text;
  }
  EXPECT_EQ(exact, cases.size());
  if (name == "qwen3") {
    EXPECT_GE(changed_by_nfc, 1u) << "no case exercises NFC";
  }
}

TEST(Tokenizer, QwenEncodeCasesAllExactAndDecodeToNfc) { check_encode_cases("qwen3"); }

// Llama-3 has no normalizer, so decode(encode(text)) is the text itself.
TEST(Tokenizer, Llama3EncodeCasesAllExact) { check_encode_cases("llama3_1"); }

// Edge cases and random mixtures, expected values from HF tokenizers (make_hf_cases.py).
TEST(Tokenizer, MatchesHfOnEdgeCasesAndRandomText) {
  const auto rows = read_jsonl(std::string(SOFTCOT_SOURCE_DIR) + "/tests/unit/tokenizer/data/hf_cases.jsonl");
  size_t encoded = 0, decoded = 0;
  for (const auto& row : rows) {
    const Tokenizer& tok = loaded(row["tokenizer"]);
    if (row.contains("text")) {
      const std::string text = row["text"];
      EXPECT_EQ(tok.encode(text), row["ids"].get<std::vector<int32_t>>())
          << row["tokenizer"] << " text: " << nlohmann::json(text).dump();
      ++encoded;
    } else {
      const auto ids = row["decode_ids"].get<std::vector<int32_t>>();
      EXPECT_EQ(tok.decode(ids, row["skip_special_tokens"]), row["decoded"].get<std::string>())
          << row["tokenizer"] << " ids: " << row["decode_ids"].dump();
      ++decoded;
    }
  }
  EXPECT_GT(encoded, 800u);
  EXPECT_GT(decoded, 600u);
}

TEST(Tokenizer, SpecialTokensAreMatchedInTextAndSkippable) {
  const Tokenizer& tok = loaded("qwen3");
  // Ids from Qwen2.5's tokenizer_config.json added_tokens_decoder.
  EXPECT_EQ(tok.token_to_id("<|endoftext|>"), 151643);
  EXPECT_EQ(tok.token_to_id("<|im_start|>"), 151644);
  EXPECT_EQ(tok.token_to_id("<|im_end|>"), 151645);
  EXPECT_EQ(tok.token_to_id("<think>"), 151667);
  EXPECT_EQ(tok.token_to_id("Hello"), 9707);
  EXPECT_FALSE(tok.token_to_id("no such token").has_value());
  EXPECT_EQ(tok.id_to_token(151645), "<|im_end|>");
  EXPECT_EQ(tok.id_to_token(220), "\xC4\xA0");  // "Ġ", the byte-level space
  EXPECT_EQ(tok.vocab_size(), 151669);
  EXPECT_TRUE(tok.is_special(151645));
  EXPECT_FALSE(tok.is_special(151667));  // <think> is added but not special
  EXPECT_FALSE(tok.is_special(9707));

  const std::string text = "<|im_start|>user\nHello<|im_end|><think>";
  const auto ids = tok.encode(text);
  ASSERT_EQ(ids, (std::vector<int32_t>{151644, 872, 198, 9707, 151645, 151667}));
  EXPECT_EQ(tok.decode(ids, false), text);
  EXPECT_EQ(tok.decode(ids, true), "user\nHello<think>");
  // Not quite a special token: ordinary text (ids from HF tokenizers).
  EXPECT_EQ(tok.encode("<|im_end"), (std::vector<int32_t>{27, 91, 318, 6213}));
}

TEST(Tokenizer, InvalidUtf8InputReadsAsReplacementCharacter) {
  const Tokenizer& tok = loaded("qwen3");
  EXPECT_EQ(tok.encode("a\xFF" "b"), tok.encode("a\xEF\xBF\xBD" "b"));
  EXPECT_EQ(tok.encode("\xE4\xB8"), tok.encode("\xEF\xBF\xBD"));  // a cut 3-byte sequence
}

TEST(Tokenizer, CopiesShareStateAndWorkFromManyThreads) {
  const Tokenizer copy = loaded("qwen3");
  const auto expected = copy.encode("The cache is shared; results must not change.");
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (copy.encode("The cache is shared; results must not change.") != expected) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Different texts from many threads at once (the eval's worker threads share one tokenizer):
// each gets what one thread alone gets. scripts/test.sh runs this under ThreadSanitizer.
TEST(Tokenizer, DifferentTextsFromManyThreadsMatchOneThread) {
  const Tokenizer& tok = loaded("qwen3");
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) {
    texts.push_back("Sample " + std::to_string(i) + ": Janet’s ducks lay " + std::to_string(16 + i) +
                    " eggs per day.<|im_end|>\n<think>" + std::string(static_cast<size_t>(i % 7), ' ') + "naïve");
  }
  std::vector<std::vector<int32_t>> expected;
  for (const auto& text : texts) expected.push_back(tok.encode(text));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          const size_t k = (i * 7 + static_cast<size_t>(t + round)) % texts.size();  // differing orders
          const auto ids = tok.encode(texts[k]);
          if (ids != expected[k] || tok.decode(ids, false) != tok.decode(expected[k], false)) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// --- invalid tokenizer.json: one-line errors that name the file ------------------------

class InvalidTokenizerJson : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto dir = std::filesystem::path(SOFTCOT_TEST_TMP) / "tokenizer";
    std::filesystem::create_directories(dir);
    const std::string path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // A minimal valid file, to break one part at a time.
  static std::string valid(const std::string& model, const std::string& pre = "") {
    const std::string regex = nlohmann::json(std::string(
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)")).dump();
    const std::string pre_tokenizer = pre.empty()
        ? R"({"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":)" + regex +
              R"(},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"use_regex":false}]})"
        : pre;
    return R"({"added_tokens":[],"normalizer":{"type":"NFC"},"pre_tokenizer":)" + pre_tokenizer +
           R"(,"decoder":{"type":"ByteLevel"},"model":)" + model + "}";
  }
  static void expect_error(const std::string& path, const std::string& reason_part) {
    try {
      Tokenizer::from_file(path);
      FAIL() << "no error for " << path;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kBadInput) << message;
      EXPECT_EQ(e.subject(), path) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      EXPECT_NE(message.find(reason_part), std::string::npos) << message;
    }
  }
};

TEST_F(InvalidTokenizerJson, AMinimalFileLoadsAndEncodes) {
  const auto path = write("minimal.json", valid(R"({"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]})"));
  const Tokenizer tok = Tokenizer::from_file(path);
  EXPECT_EQ(tok.encode("abba"), (std::vector<int32_t>{2, 1, 0}));
  EXPECT_EQ(tok.vocab_size(), 3);
}

TEST_F(InvalidTokenizerJson, NotJson) { expect_error(write("not.json", "{\"model\": [1, 2"), "invalid JSON"); }

TEST_F(InvalidTokenizerJson, MissingFile) {
  expect_error(std::string(SOFTCOT_TEST_TMP) + "/tokenizer/does-not-exist.json", "cannot open");
}

TEST_F(InvalidTokenizerJson, MissingModel) {
  expect_error(write("no-model.json", R"({"added_tokens":[],"normalizer":null})"), "'model'");
}

TEST_F(InvalidTokenizerJson, UnsupportedModelType) {
  expect_error(write("unigram.json", valid(R"({"type":"Unigram","vocab":[]})")), "Unigram");
}

TEST_F(InvalidTokenizerJson, MergeOfUnknownToken) {
  expect_error(write("bad-merge.json", valid(R"({"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a c"]})")),
               "merge 0: 'c' is not in the vocabulary");
}

TEST_F(InvalidTokenizerJson, MergeResultNotInVocabulary) {
  expect_error(write("bad-merge2.json", valid(R"({"type":"BPE","vocab":{"a":0,"b":1},"merges":[["a","b"]]})")),
               "'ab' is not in the vocabulary");
}

TEST_F(InvalidTokenizerJson, MalformedMerge) {
  expect_error(write("bad-merge3.json", valid(R"({"type":"BPE","vocab":{"a":0},"merges":["a"]})")),
               "merge 0 'a' is not two tokens");
}

TEST_F(InvalidTokenizerJson, UnsupportedRegex) {
  const std::string pre =
      R"({"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\w+"},"behavior":"Isolated","invert":false},{"type":"ByteLevel","use_regex":false}]})";
  expect_error(write("regex.json", valid(R"({"type":"BPE","vocab":{"a":0},"merges":[]})", pre)),
               "unsupported pre_tokenizer regex");
}

}  // namespace
}  // namespace softcot::tokenizer
