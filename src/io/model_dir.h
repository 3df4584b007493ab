#pragma once
// A model id -> a local directory: a path as is, or an HF id resolved offline in the
// local HF cache (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub;
// models--Org--Name/snapshots/<refs/main>). No downloading code of our own: when the
// id is not there, the error says which `huggingface-cli download` fetches it.
#include <string>

#include "io/model_config.h"
#include "io/safetensors.h"

namespace softcot::io {

std::string resolve_model_dir(const std::string& model_id);

struct ModelDir {
  std::string path;  // resolved directory
  ModelConfig config;
  GenerationConfig generation;  // defaults when generation_config.json is absent
  std::string tokenizer_json;   // path to tokenizer.json
  std::string tokenizer_config_json;  // path, may not exist
  WeightFiles weights;          // every tensor checked against `config` on open
};

ModelDir open_model_dir(const std::string& model_id);

}  // namespace softcot::io
