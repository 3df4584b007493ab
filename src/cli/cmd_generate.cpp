// softcot generate: text in, streamed text out, for interactive debugging of a model.
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/thread_pool.h"
#include "generate/generate.h"
#include "io/model_dir.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace softcot::cli {
namespace {

int run(int argc, char** argv) {
  std::string model_id, prompt;
  int64_t max_new_tokens = 128;
  uint64_t seed = 0;
  int threads = 0;
  po::options_description options("generate options");
  options.add_options()
      ("model", po::value(&model_id)->required(), "model directory or HF id in the local cache")
      ("prompt", po::value(&prompt)->required(), "the prompt text")
      ("chat", "wrap the prompt as a user message in the model directory's chat template, with the generation prompt")
      ("max_new_tokens", po::value(&max_new_tokens)->default_value(max_new_tokens), "new tokens at most")
      ("greedy", "argmax instead of the model's generation_config.json sampling")
      ("seed", po::value(&seed)->default_value(0), "sampling seed")
      ("threads", po::value(&threads)->default_value(0), "threads (0: every CPU allowed)");
  const auto parsed = parse_command_line(
      argc, argv,
      "softcot generate --model ID --prompt TEXT [--chat] [--max_new_tokens N] [--greedy] [--seed S]",
      options);
  if (!parsed) return 0;
  ThreadPool::set_default_threads(threads);
  install_stop_signal_handlers();

  io::ModelDir dir = io::open_model_dir(model_id);
  // --chat: the directory's own template (recognised, or refused naming the file).
  const std::string text =
      parsed->vm.count("chat")
          ? tokenizer::render_chat(tokenizer::recognise_chat_template(dir.path), {{"user", prompt}}, {true, false})
          : prompt;
  const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_file(dir.tokenizer_json);
  generate::GenerationParams params = generate::params_from_config(dir.generation);
  params.max_new_tokens = max_new_tokens;
  if (parsed->vm.count("greedy")) params.sampling.do_sample = false;
  auto backend = model::make_cpu_backend();
  auto model = model::Model::load(std::move(dir), *backend);

  const std::vector<int32_t> ids = tok.encode(text);
  if (ids.empty()) throw usage_error("--prompt encodes to no tokens");

  // Decode everything so far and print what is new, holding back a cut UTF-8 character.
  std::vector<int32_t> generated;
  size_t printed = 0;
  const generate::TokenCallback stream = [&](int64_t, int32_t token) {
    generated.push_back(token);
    const std::string so_far = tok.decode(generated, false);
    if (so_far.size() >= 3 && so_far.compare(so_far.size() - 3, 3, "\xEF\xBF\xBD") == 0) return;
    std::cout << so_far.substr(std::min(printed, so_far.size())) << std::flush;
    printed = so_far.size();
  };
  generate::generate_from_ids(*model, ids, params, PhiloxKey{seed, 0, 0}, &stream);
  std::cout << "\n";
  return 0;
}

const RegisterCommand kRegister{{"generate", "generate text from a prompt (streams; for debugging)", &run}};

}  // namespace
}  // namespace softcot::cli
