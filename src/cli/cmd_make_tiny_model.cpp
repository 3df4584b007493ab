// softcot make-tiny-model: a small deterministic HF Qwen2 or Llama directory for tests and demos.
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "io/tiny_model.h"
#include "tokenizer/chat_template.h"

namespace softcot::cli {
namespace {

int run(int argc, char** argv) {
  io::TinyModelOptions o;
  std::string dtype = "bf16";
  po::options_description options("make-tiny-model options");
  options.add_options()
      ("out", po::value(&o.out_dir)->required(), "output directory (created)")
      ("tokenizer", po::value(&o.tokenizer_json)->required(),
       "a Qwen or Llama-3 tokenizer.json to copy (its tokenizer_config.json is copied too)")
      ("seed", po::value(&o.seed)->default_value(0), "weight seed: same seed, same bytes")
      ("hidden_size", po::value(&o.hidden_size)->default_value(o.hidden_size), "hidden size")
      ("num_layers", po::value(&o.num_layers)->default_value(o.num_layers), "decoder layers")
      ("num_heads", po::value(&o.num_heads)->default_value(o.num_heads), "attention heads")
      ("num_kv_heads", po::value(&o.num_kv_heads)->default_value(o.num_kv_heads), "key/value heads")
      ("intermediate_size", po::value(&o.intermediate_size)->default_value(o.intermediate_size),
       "MLP width")
      ("head_dim", po::value(&o.head_dim)->default_value(0),
       "head dimension (0: hidden_size / num_heads)")
      ("vocab_size", po::value(&o.vocab_size)->default_value(0),
       "vocabulary rows (0: the tokenizer's largest id + 1)")
      ("dtype", po::value(&dtype)->default_value(dtype), "bf16 or f32")
      ("tied", "tie lm_head to the embeddings (the default)")
      ("untied", "write a separate lm_head.weight")
      ("max_position_embeddings",
       po::value(&o.max_position_embeddings)->default_value(o.max_position_embeddings),
       "max_position_embeddings in config.json")
      ("rope_theta", po::value(&o.rope_theta)->default_value(o.rope_theta), "RoPE base")
      ("init_std", po::value(&o.init_std)->default_value(o.init_std),
       "standard deviation of the weights")
      ("architecture", po::value(&o.architecture)->default_value(o.architecture),
       "qwen2 (Qwen2.5's config, q/k/v biases) or llama (Llama-3.x-Instruct's config)")
      ("attention_bias", "llama: q/k/v/o biases (attention_bias true)")
      ("mlp_bias", "llama: gate/up/down biases (mlp_bias true)")
      ("rope_scaling_factor", po::value(&o.rope_scaling_factor)->default_value(0),
       "llama: llama3 rope_scaling with this factor (0: none)")
      ("low_freq_factor", po::value(&o.low_freq_factor)->default_value(o.low_freq_factor), "llama3 low_freq_factor")
      ("high_freq_factor", po::value(&o.high_freq_factor)->default_value(o.high_freq_factor), "llama3 high_freq_factor")
      ("original_max_position_embeddings",
       po::value(&o.original_max_position_embeddings)->default_value(o.original_max_position_embeddings),
       "llama3 original_max_position_embeddings");
  const auto parsed = parse_command_line(
      argc, argv, "softcot make-tiny-model --out DIR --tokenizer TOKENIZER_JSON [--seed S] [sizes]",
      options);
  if (!parsed) return 0;
  if (parsed->vm.count("tied") && parsed->vm.count("untied")) {
    throw usage_error("--tied and --untied exclude each other");
  }
  o.tied = parsed->vm.count("untied") == 0;
  o.attention_bias = parsed->vm.count("attention_bias") > 0;
  o.mlp_bias = parsed->vm.count("mlp_bias") > 0;
  if (dtype == "bf16") o.dtype = io::DType::kBF16;
  else if (dtype == "f32") o.dtype = io::DType::kF32;
  else throw usage_error("--dtype must be bf16 or f32, not '" + dtype + "'");
  // Qwen2.5-Instruct's chat template, whatever Qwen tokenizer the files came from (the
  // bundled one is Qwen3's), so the model directory says what it is.
  if (o.architecture == "qwen2") o.chat_template = tokenizer::qwen25_chat_template_text();
  io::write_tiny_model(o);
  std::cout << o.out_dir << "\n";
  return 0;
}

const RegisterCommand kRegister{{"make-tiny-model", "write a small deterministic HF Qwen2 or Llama model directory", &run}};

}  // namespace
}  // namespace softcot::cli
