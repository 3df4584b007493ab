#pragma once
// What `softcot eval` loads before its first sample: models, tokenizers, projection,
// data, and the run's fingerprint. Kept apart from the sample loop (cmd_eval.cpp) so
// the loop reads as the data flow it is.
#include <memory>
#include <optional>
#include <string>

#include "generate/generate.h"
#include "io/model_dir.h"
#include "io/torch_checkpoint.h"
#include "model/backend.h"
#include "model/model.h"
#include "softcot/dataset.h"
#include "softcot/pipeline.h"
#include "softcot/run_options.h"
#include "store/fingerprint.h"
#include "tokenizer/tokenizer.h"

namespace softcot::cli {

struct LoadedRun {
  RunOptions options;
  Dataset dataset;
  std::unique_ptr<model::Backend> backend;
  io::ModelDir base_dir;        // config and paths (weights are held by the Model)
  io::ModelDir assistant_dir;
  std::unique_ptr<model::Model> base;
  std::unique_ptr<model::Model> assistant;  // null when N = 0
  std::optional<tokenizer::Tokenizer> base_tokenizer;  // set by load_run
  std::optional<tokenizer::Tokenizer> assistant_tokenizer;
  tokenizer::ChatTemplate base_chat_template;  // recognised from each model directory
  tokenizer::ChatTemplate assistant_chat_template;
  std::unique_ptr<io::Projection> projection;  // null when N = 0
  generate::GenerationParams generation;
  std::string base_identity;       // sha256 over config + tensors
  std::string assistant_identity;
  std::string projection_identity;
  std::string assistant_ckpt_identity;  // sha256 of --assistant_model_ckpt; empty without one

  std::unique_ptr<SoftCotPipeline> pipeline;
};

// --chat_date today becomes a date: the one stored in this run's checkpoints for (task,
// seed) when there are any (a resume or requeue keeps its prompts across midnight), else
// today's. Other values are returned as they are.
std::string resolve_chat_date(const std::string& chat_date, const std::string& run_dir,
                              const std::string& task, uint64_t seed);

// `device` is "cpu" (or "cuda" where built with it). Throws Error on bad input.
std::unique_ptr<LoadedRun> load_run(const RunOptions& options, const std::string& device);

// Everything that decides the results (docs/hdf5-schema.md lists the fields).
store::RunFingerprint run_fingerprint(const LoadedRun& run);

// sha256 over config.json, generation_config.json and every tensor's name, dtype,
// shape and bytes: a model's identity, whatever directory or cache path it is read from.
std::string model_identity(const io::ModelDir& dir);
// The same through the digest cache (core/digest_cache.h): unchanged files are not
// re-hashed at a restart. `what` names the model in the log line.
std::string cached_model_identity(const io::ModelDir& dir, const std::string& what);

}  // namespace softcot::cli
