#pragma once
// Fine-tuned weights for a model directory's architecture (--assistant_model_ckpt): a state
// dict with HF parameter names, loaded as the reference's
// `assistant_model.load_state_dict(torch.load(path))` loads it:
//   - strict: every tensor the config implies must be there and nothing else (a tied
//     model's state dict also names lm_head.weight; it must equal the embeddings);
//   - shapes checked against the config;
//   - each tensor copied in the dtype of the directory's own tensor (load_state_dict copies
//     into the existing bf16 parameters: an f32 file is rounded to bf16 there).
// Every failure is a one-line bad_input naming the file and the tensor.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/model_dir.h"

namespace softcot::io {

class FineTunedWeights {
 public:
  static std::shared_ptr<const FineTunedWeights> load(const std::string& path, const ModelDir& dir);

  // The tensor by name, checked against `shape` (as WeightFiles::get_checked).
  const TensorView& get(const std::string& name, const std::vector<int64_t>& shape) const;
  const std::string& sha256() const { return sha256_; }  // of the file

 private:
  std::string path_, sha256_;
  std::map<std::string, std::vector<uint8_t>> storage_;
  std::map<std::string, TensorView> views_;
};

}  // namespace softcot::io
