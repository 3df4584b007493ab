#include "model/rope.h"

#include <cmath>

#include "core/error.h"

namespace softcot::model {
namespace {

// 1 / theta^(arange(0, d, 2) / d), with the exponent and the power in f32.
std::vector<float> default_inv_freq(double theta, int64_t head_dim) {
  const int64_t half = head_dim / 2;
  const float base = static_cast<float>(theta);
  std::vector<float> inv(static_cast<size_t>(half));
  for (int64_t j = 0; j < half; ++j) {
    const float exponent = static_cast<float>(2 * j) / static_cast<float>(head_dim);
    inv[j] = 1.0f / static_cast<float>(std::pow(static_cast<double>(base), exponent));
  }
  return inv;
}

// transformers' _compute_llama3_parameters, one element at a time. Python scalars meet
// f32 tensors as f32; `scalar / tensor` is torch's reciprocal(tensor) * scalar.
void apply_llama3(const io::RopeScaling& s, std::vector<float>& inv) {
  const float factor = static_cast<float>(s.factor);
  const float low = static_cast<float>(s.low_freq_factor);
  const double old_context = static_cast<double>(s.original_max_position_embeddings);
  const float low_freq_wavelen = static_cast<float>(old_context / s.low_freq_factor);
  const float high_freq_wavelen = static_cast<float>(old_context / s.high_freq_factor);
  const float two_pi = static_cast<float>(2.0 * M_PI);
  const float high_minus_low = static_cast<float>(s.high_freq_factor - s.low_freq_factor);
  for (float& f : inv) {
    const float wavelen = (1.0f / f) * two_pi;
    const float scaled = wavelen > low_freq_wavelen ? f / factor : f;
    const float smooth = ((1.0f / wavelen) * static_cast<float>(old_context) - low) / high_minus_low;
    const float a = ((1.0f - smooth) * scaled) / factor;
    const float b = smooth * scaled;
    const float smoothed = a + b;
    const bool medium = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
    f = medium ? smoothed : scaled;
  }
}

}  // namespace

std::vector<float> rope_inv_freq(const io::ModelConfig& c) {
  std::vector<float> inv = default_inv_freq(c.rope_theta, c.head_dim);
  if (c.rope_scaling.type == "llama3") {
    apply_llama3(c.rope_scaling, inv);
  } else if (!c.rope_scaling.type.empty()) {
    // read_model_config refuses other types; this guards a config built in code.
    throw bad_input(c.source_path, "RoPE type '" + c.rope_scaling.type + "' is not implemented");
  }
  return inv;
}

}  // namespace softcot::model
