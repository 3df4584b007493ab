#include "softcot/model_family.h"

#include <filesystem>

#include "core/error.h"
#include "core/json_file.h"

namespace softcot {

namespace {
const SpecialTokens kQwenTokens{"<|endoftext|>", "<|box_start|>", "<|box_end|>",
                                151643, 151648, 151649};
const SpecialTokens kLlamaTokens{"<|end_of_text|>", "<|reserved_special_token_0|>",
                                 "<|reserved_special_token_1|>", 128001, 128002, 128003};
}  // namespace

const SpecialTokens& special_tokens(ModelFamily family) {
  return family == ModelFamily::kQwen ? kQwenTokens : kLlamaTokens;
}

const char* family_name(ModelFamily family) {
  return family == ModelFamily::kQwen ? "qwen" : "llama";
}

ModelFamily family_from_model_id(std::string_view model_id, std::string_view override_name) {
  if (override_name == "qwen") return ModelFamily::kQwen;
  if (override_name == "llama") return ModelFamily::kLlama;
  if (!override_name.empty()) {
    throw usage_error("unknown model family '" + std::string(override_name) +
                      "' (choose qwen or llama)");
  }
  // Same order as the reference: 'Llama' is tested before 'Qwen'.
  if (model_id.find("Llama") != std::string_view::npos) return ModelFamily::kLlama;
  if (model_id.find("Qwen") != std::string_view::npos) return ModelFamily::kQwen;
  // A local directory named otherwise (/scratch/models/q15b): its config.json's model_type.
  const std::filesystem::path config = std::filesystem::path(model_id) / "config.json";
  if (std::filesystem::is_regular_file(config)) {
    const Json j = read_json_file(config.string());
    const std::string type = j.value("model_type", "");
    if (type == "qwen2") return ModelFamily::kQwen;
    if (type == "llama") return ModelFamily::kLlama;
  }
  throw bad_input(std::string(model_id),
                  "cannot tell the model family: the id contains neither 'Qwen' nor 'Llama' and it has no "
                  "config.json with model_type qwen2 or llama (name it with --base_model_family or --assistant_model_family)");
}

}  // namespace softcot
