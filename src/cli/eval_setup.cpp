#include "cli/eval_setup.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "core/digest.h"
#include "core/digest_cache.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/json_file.h"
#include "core/log.h"
#include "cluster/shard_files.h"
#include "io/fine_tuned_weights.h"
#include "store/checkpoint_reader.h"
#include "tokenizer/clean_up.h"

#if SOFTCOT_HAVE_CUDA
#include "cuda_backend.h"
#endif

namespace softcot::cli {

namespace {

// Bump when a prompt text or the placeholder rule changes: old checkpoints then refuse
// to resume instead of mixing two prompt versions in one result set.
constexpr const char* kPromptTemplateVersion = "reference-2025.1";

std::unique_ptr<model::Backend> make_backend(const std::string& device) {
  if (device == "cpu") return model::make_cpu_backend();
#if SOFTCOT_HAVE_CUDA
  if (device == "cuda") return cuda::make_cuda_backend(0);
#endif
  if (device == "cuda") {
    throw usage_error("--device cuda: this softcot was built without the CUDA backend (cmake --preset cuda)");
  }
  throw usage_error("--device must be cpu or cuda, not '" + device + "'");
}

// `what` from the digest cache when its files are unchanged, else computed (and cached).
std::string cached_identity(const std::string& what, const std::vector<std::string>& files,
                            const std::function<std::string()>& compute) {
  const auto start = std::chrono::steady_clock::now();
  bool from_cache = false;
  std::string digest = cached_digest("softcot identity v1", files, compute, &from_cache);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (from_cache) {
    spdlog::info("{} identity: from the cache ({} files unchanged)", what, files.size());
  } else {
    spdlog::info("{} identity: hashed in {:.1f} s", what, seconds);
  }
  return digest;
}

std::string tokenizer_config_path(const io::ModelDir& dir) {
  return std::filesystem::exists(dir.tokenizer_config_json) ? dir.tokenizer_config_json : "";
}

}  // namespace

std::string resolve_chat_date(const std::string& chat_date, const std::string& run_dir,
                              const std::string& task, uint64_t seed) {
  if (chat_date != "today") return chat_date;
  if (std::filesystem::is_directory(run_dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(run_dir)) {
      cluster::ShardFileName name;
      if (!entry.is_regular_file() || !cluster::parse_shard_file_name(entry.path().filename().string(), &name) ||
          name.task != task || name.seed != static_cast<int64_t>(seed)) {
        continue;
      }
      const auto& stored = store::CheckpointReader::open(entry.path().string()).info().fingerprint.values;
      const auto it = stored.find("chat_date");
      if (it != stored.end()) {
        spdlog::info("--chat_date today: {} (the run's first start, from {})", it->second, entry.path().string());
        return it->second;
      }
    }
  }
  const std::string today = today_chat_date();
  spdlog::info("--chat_date today: {}", today);
  return today;
}

std::string model_identity(const io::ModelDir& dir) {
  std::string description = read_text_file(dir.path + "/config.json");
  const std::string generation_config = dir.path + "/generation_config.json";
  if (std::filesystem::exists(generation_config)) description += read_text_file(generation_config);
  std::string tensors;
  for (const auto& [name, view] : dir.weights.tensors()) {
    tensors += name + ":" + io::dtype_name(view.dtype) + ":";
    for (int64_t d : view.shape) tensors += std::to_string(d) + ",";
    tensors += sha256_hex(std::string_view(static_cast<const char*>(view.data), view.nbytes)) + "\n";
    heartbeat();  // hashing GBs from a slow file system is progress, not a hang
  }
  return sha256_hex(description + tensors);
}

std::string cached_model_identity(const io::ModelDir& dir, const std::string& what) {
  std::vector<std::string> files = {dir.path + "/config.json"};
  if (std::filesystem::exists(dir.path + "/generation_config.json")) files.push_back(dir.path + "/generation_config.json");
  std::set<std::string> weight_files;
  for (const auto& [name, view] : dir.weights.tensors()) weight_files.insert(view.file);
  files.insert(files.end(), weight_files.begin(), weight_files.end());
  return cached_identity(what, files, [&] { return model_identity(dir); });
}

std::unique_ptr<LoadedRun> load_run(const RunOptions& options, const std::string& device) {
  auto run = std::make_unique<LoadedRun>();
  run->options = options;
  run->dataset = load_dataset(options.task, options.data_path(), options.test_k);
  spdlog::info("Data: {} ({} of {} samples in the split)", run->dataset.path,
               run->dataset.samples.size(), run->dataset.split_size);

  run->backend = make_backend(device);
  const bool soft_thoughts = options.num_thought_tokens > 0;

  run->base_dir = io::open_model_dir(options.base_model_id);
  run->base_identity = cached_model_identity(run->base_dir, "Base model");
  run->base_tokenizer = tokenizer::Tokenizer::from_file(run->base_dir.tokenizer_json);
  heartbeat();
  run->assistant_dir = io::open_model_dir(options.assistant_model_id);
  run->assistant_tokenizer = tokenizer::Tokenizer::from_file(run->assistant_dir.tokenizer_json);
  run->base_chat_template = tokenizer::recognise_chat_template(run->base_dir.path);
  run->assistant_chat_template = tokenizer::recognise_chat_template(run->assistant_dir.path);
  if (run->options.chat_date == "today") run->options.chat_date = today_chat_date();
  if (soft_thoughts) run->assistant_identity = cached_model_identity(run->assistant_dir, "Assistant model");

  if (soft_thoughts) {
    if (options.params_file_name.empty()) {
      throw usage_error("--params_file_name is required when --num_thought_tokens > 0");
    }
    run->projection = std::make_unique<io::Projection>(io::load_projection(options.params_file_name));
    check_projection_shape(*run->projection, run->assistant_dir.config.hidden_size,
                           run->base_dir.config.hidden_size);
    run->projection_identity = cached_identity("Projection", {options.params_file_name},
                                               [&] { return sha256_file_hex(options.params_file_name); });
  }

  const auto eos = reference_eos_token_ids(tokenizer_config_path(run->base_dir), *run->base_tokenizer,
                                           run->base_dir.generation, options.base_family());
  run->generation = reference_generation_params(run->base_dir.generation, eos, options);

  // ModelDir copies share their mmaps, so the Models and this run see the same pages.
  heartbeat();
  run->base = model::Model::load(run->base_dir, *run->backend);
  heartbeat();
  if (soft_thoughts && !options.assistant_model_ckpt.empty()) {
    // The reference's assistant_model.load_state_dict(torch.load(assistant_model_ckpt)).
    auto tuned = io::FineTunedWeights::load(options.assistant_model_ckpt, run->assistant_dir);
    run->assistant_ckpt_identity = tuned->sha256();
    const io::FineTunedWeights& weights = *tuned;
    run->assistant = std::make_unique<model::Model>(
        run->assistant_dir.config,
        [&weights](const std::string& name, const std::vector<int64_t>& shape) -> const io::TensorView& {
          return weights.get(name, shape);
        },
        *run->backend, tuned);
    spdlog::info("Assistant weights: {} (sha256 {})", options.assistant_model_ckpt, tuned->sha256());
  } else if (soft_thoughts) {
    run->assistant = model::Model::load(run->assistant_dir, *run->backend);
  }
  heartbeat();
  spdlog::info("Base model: {} ({} layers, hidden {}); assistant: {}; backend: {}", run->base_dir.path,
               run->base_dir.config.num_hidden_layers, run->base_dir.config.hidden_size,
               soft_thoughts ? run->assistant_dir.path : std::string("(not used, N = 0)"),
               run->backend->name());

  PipelineModels models;
  models.base_tokenizer = &*run->base_tokenizer;
  models.assistant_tokenizer = &*run->assistant_tokenizer;
  models.base_chat_template = run->base_chat_template;
  models.clean_up_tokenization_spaces =
      tokenizer::read_clean_up_tokenization_spaces(tokenizer_config_path(run->base_dir));
  models.assistant_chat_template = run->assistant_chat_template;
  models.base = run->base.get();
  models.assistant = run->assistant.get();
  models.projection = run->projection.get();
  run->pipeline = std::make_unique<SoftCotPipeline>(run->options, models, run->generation);
  return run;
}

store::RunFingerprint run_fingerprint(const LoadedRun& run) {
  const RunOptions& o = run.options;
  const auto& s = run.generation.sampling;
  store::RunFingerprint f;
  f.set("task", task_info(o.task).name);
  f.set("seed", std::to_string(o.seed));
  f.set("total_samples", std::to_string(run.dataset.samples.size()));
  f.set("data_sha256", run.dataset.sha256);
  f.set("base_model", run.base_identity);
  f.set("assistant_model", run.assistant_identity);
  f.set("projection_sha256", run.projection_identity);
  if (!run.assistant_ckpt_identity.empty()) f.set("assistant_model_ckpt_sha256", run.assistant_ckpt_identity);
  f.set("num_thought_tokens", std::to_string(o.num_thought_tokens));
  f.set("num_return_sequences", std::to_string(o.num_return_sequences));
  f.set("max_new_tokens", std::to_string(o.max_new_tokens));
  std::string eos;
  for (int32_t id : run.generation.eos_token_ids) eos += std::to_string(id) + ",";
  f.set("decoding", fmt::format("do_sample={} temperature={} top_k={} top_p={} repetition_penalty={} eos={}",
                                s.do_sample, s.temperature, s.top_k, s.top_p, s.repetition_penalty, eos));
  f.set("prompt_template", kPromptTemplateVersion);
  // CPU and CUDA differ in numerics (CUDA rounds activations to bf16, docs/cuda.md), and so
  // would two sampler versions: a resume must not mix them in one result set.
  f.set("backend", run.backend->name());
  f.set("sampler_numerics", generate::kSamplerNumericsVersion);
  if (run.pipeline->models().clean_up_tokenization_spaces) f.set("decode_clean_up", "true");
  f.set("chat_templates", run.base_chat_template.name + "/" + run.assistant_chat_template.name);
  // Only the Llama-3 templates write a date; Qwen runs keep their fingerprint.
  if (run.base_chat_template.kind == tokenizer::ChatTemplateKind::kLlama3 ||
      run.assistant_chat_template.kind == tokenizer::ChatTemplateKind::kLlama3) {
    f.set("chat_date", o.chat_date);
  }
  f.set("software_version", SOFTCOT_VERSION);
  return f;
}

}  // namespace softcot::cli
