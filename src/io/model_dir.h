#pragma once
// A model id -> a local directory: a path as is, or an HF id resolved offline in the
// local HF cache (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub;
// models--Org--Name/snapshots/<refs/main>). No downloading code of our own: when the
// id is not there, the error says which `huggingface-cli download` fetches it.
#include <string>
#include <vector>

#include "io/decoder_tensors.h"
#include "io/model_config.h"
#include "io/safetensors.h"

namespace softcot::io {

std::string resolve_model_dir(const std::string& model_id);
std::string hf_hub_cache_dir();  // where resolve_model_dir looks for HF ids

struct ModelDir {
  std::string path;  // resolved directory
  ModelConfig config;
  GenerationConfig generation;  // defaults when generation_config.json is absent
  std::string tokenizer_json;   // path to tokenizer.json
  std::string tokenizer_config_json;  // path, may not exist
  WeightFiles weights;          // every tensor checked against `config` on open
};

// Resolves the id, reads both configs and maps the weights; throws bad_input naming
// the file and the reason on anything missing, malformed or of the wrong shape.
ModelDir open_model_dir(const std::string& model_id);

}  // namespace softcot::io
