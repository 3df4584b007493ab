#include "io/model_dir.h"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/json_file.h"
#include "core/log.h"

namespace softcot::io {
namespace fs = std::filesystem;
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

// "Org/Name": one slash, both parts non-empty, no path tricks.
bool looks_like_hf_id(const std::string& id) {
  const auto slash = id.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < id.size() &&
         id.find('/', slash + 1) == std::string::npos && id[0] != '.' &&
         id.find("..") == std::string::npos;
}

std::string trimmed(std::string text) {
  const auto end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

}  // namespace

std::string hf_hub_cache_dir() {
  if (auto hub = env_or_empty("HF_HUB_CACHE"); !hub.empty()) return hub;
  if (auto home = env_or_empty("HF_HOME"); !home.empty()) return (fs::path(home) / "hub").string();
  return (fs::path(env_or_empty("HOME")) / ".cache" / "huggingface" / "hub").string();
}

std::string resolve_model_dir(const std::string& model_id) {
  if (fs::is_directory(model_id)) return model_id;
  if (!looks_like_hf_id(model_id)) {
    throw bad_input(model_id, "no such model directory (nor an HF id of the form Org/Name)");
  }
  const std::string cache = hf_hub_cache_dir();
  const std::string how_to_fetch = "; fetch it with `huggingface-cli download " + model_id +
                                   "` (or pass a model directory)";
  std::string repo_name = "models--" + model_id;
  repo_name.replace(repo_name.find('/'), 1, "--");
  const fs::path repo = fs::path(cache) / repo_name;
  if (!fs::is_directory(repo)) {
    throw bad_input(model_id, "not a directory and not in the Hugging Face cache " + cache + how_to_fetch);
  }
  const fs::path ref = repo / "refs" / "main";
  if (!fs::exists(ref)) {
    throw bad_input(ref.string(), "missing, so the revision of " + model_id + " is unknown" + how_to_fetch);
  }
  const std::string revision = trimmed(read_text_file(ref.string()));
  const fs::path snapshot = repo / "snapshots" / revision;
  if (revision.empty() || revision.find('/') != std::string::npos || !fs::is_directory(snapshot)) {
    throw bad_input(ref.string(), "names revision '" + revision + "' that has no snapshot" + how_to_fetch);
  }
  if (!fs::exists(snapshot / "config.json")) {
    throw bad_input(snapshot.string(), "incomplete snapshot: no config.json" + how_to_fetch);
  }
  return snapshot.string();
}

ModelDir open_model_dir(const std::string& model_id) {
  ModelDir dir;
  dir.path = resolve_model_dir(model_id);
  const fs::path root(dir.path);
  dir.config = read_model_config((root / "config.json").string());
  const std::string generation_path = (root / "generation_config.json").string();
  if (fs::exists(generation_path)) dir.generation = read_generation_config(generation_path);
  dir.tokenizer_json = (root / "tokenizer.json").string();
  dir.tokenizer_config_json = (root / "tokenizer_config.json").string();
  dir.weights = WeightFiles::open_dir(dir.path);

  std::set<std::string> expected;
  for (const auto& spec : expected_tensors(dir.config)) {
    dir.weights.get_checked(spec.name, spec.shape);
    expected.insert(spec.name);
  }
  // HF ignores extra tensors (old rotary inv_freq buffers, a tied model's lm_head); so do we.
  size_t unexpected = 0;
  for (const auto& [name, view] : dir.weights.tensors()) {
    if (!expected.count(name) && unexpected++ < 3) {
      spdlog::warn("{}: ignoring tensor '{}' that the config does not use", view.file, name);
    }
  }
  return dir;
}

}  // namespace softcot::io
