#pragma once
// Model families and their three SoftCoT special tokens (placeholder, begin-of-thought,
// end-of-thought). The reference picks the family by substring of the model id: "Llama"
// first, then "Qwen"; anything else is an error unless the family is given explicitly.
#include <cstdint>
#include <string>
#include <string_view>

namespace softcot {

enum class ModelFamily { kQwen, kLlama };

struct SpecialTokens {
  const char* placeholder;  // the token whose embedding rows receive the soft thoughts
  const char* begin;        // begin-of-thought
  const char* end;          // end-of-thought
  int32_t placeholder_id;
  int32_t begin_id;
  int32_t end_id;
};

const SpecialTokens& special_tokens(ModelFamily family);
const char* family_name(ModelFamily family);  // "qwen" / "llama" (the reference's backbone)

// `override_name` ("qwen", "llama", or empty for auto) wins over the id's substring.
ModelFamily family_from_model_id(std::string_view model_id, std::string_view override_name = {});

}  // namespace softcot
