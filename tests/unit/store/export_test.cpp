// Export writes what the store holds: answers are the stored JSON text, byte for byte, as
// the reference's json.dump of Python values (unbounded ints) would write them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "store/export.h"
#include "store/synthetic.h"

namespace softcot::store {
namespace {

StoredRecord record_with_answers(const std::string& ground_truth, const std::string& answer) {
  StoredRecord record{synthetic_result(7, 2), 0, {}};
  record.result.ground_truth_json = ground_truth;
  record.result.model_answer_json = answer;
  for (auto& response : record.result.responses) response.answer_json = answer;
  return record;
}

std::string jsonl_of(const StoredRecord& record, bool comparable) {
  std::ostringstream out;
  write_jsonl({record}, out, {.comparable = comparable});
  return out.str();
}

TEST(Export, IntegersBeyond64BitsAreWrittenExactly) {
  const std::string huge(41, '6');  // a response ending in 41 sixes
  const std::string negative = "-" + std::string(30, '9');
  for (bool comparable : {false, true}) {
    const auto line = jsonl_of(record_with_answers(negative, huge), comparable);
    EXPECT_NE(line.find("\"model_answer\":" + huge + ","), std::string::npos) << line;
    EXPECT_NE(line.find("\"ground_truth\":" + negative + ","), std::string::npos) << line;
    EXPECT_NE(line.find("\"answer\":" + huge + ","), std::string::npos) << line;
    EXPECT_EQ(line.find("e+"), std::string::npos) << line;
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  }
  std::ostringstream csv;
  write_csv({record_with_answers("18", huge)}, csv);
  EXPECT_NE(csv.str().find("," + huge + ","), std::string::npos) << csv.str();
}

TEST(Export, EveryKindOfStoredAnswerKeepsItsText) {
  // Floats as Python prints them, strings, booleans, null: the stored text is the output.
  for (const std::string answer : {"5.25", "0.1", "-3", "1e+16", "\"B\"", "true", "false", "null",
                                   "1.0000000000000002", "12345678901234567890123"}) {
    const auto line = jsonl_of(record_with_answers("18", answer), true);
    EXPECT_NE(line.find("\"model_answer\":" + answer + ","), std::string::npos) << line;
  }
}

TEST(Export, TextThatIsNotJsonIsExportedAsAString) {
  const auto line = jsonl_of(record_with_answers("18", "not json"), true);
  EXPECT_NE(line.find("\"model_answer\":\"not json\","), std::string::npos) << line;
}

TEST(Export, LineIsTheReferenceOrderOfKeys) {
  const auto j = nlohmann::ordered_json::parse(jsonl_of(record_with_answers("18", "18"), false));
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  ASSERT_GE(keys.size(), 7u);
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 7),
            (std::vector<std::string>{"idx", "status", "ground_truth", "model_answer", "is_correct", "timestamp",
                                      "responses"}));
}

}  // namespace
}  // namespace softcot::store
