#pragma once
// transformers' decode-time text clean-up. With clean_up_tokenization_spaces true in
// tokenizer_config.json (Meta's Llama-3 files say so; Qwen's say false), transformers
// 4.44.2 - the reference's pin - runs PreTrainedTokenizerBase.clean_up_tokenization on
// every decoded text, and the reference extracts answers from that text: " 5 ,000" is
// "5,000" there. Absent, 4.44.2's default is true.
#include <string>

namespace softcot::tokenizer {

// " ." -> ".", " ?" -> "?", " !" -> "!", " ," -> ",", " ' " -> "'", " n't" -> "n't",
// " 'm" -> "'m", " 's" -> "'s", " 've" -> "'ve", " 're" -> "'re", in that order, each
// replacing every occurrence left to right (Python's str.replace).
std::string clean_up_tokenization(std::string text);

// tokenizer_config.json's clean_up_tokenization_spaces; true when the key or the file is
// absent (transformers 4.44.2). Throws bad_input naming the file when it is not a bool.
bool read_clean_up_tokenization_spaces(const std::string& tokenizer_config_json);

}  // namespace softcot::tokenizer
