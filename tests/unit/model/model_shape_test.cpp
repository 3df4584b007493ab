// `softcot bench --shape NAME` builds random models at the shapes of the published
// config.json files (../shared/data/model_configs/): the shapes must be those files'.
#include <gtest/gtest.h>

#include "io/decoder_tensors.h"
#include "model/random_weights.h"
#include "model/rope.h"

namespace softcot::model {
namespace {

TEST(ModelShape, EachNamedShapeIsItsPublishedConfig) {
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"0.5b", "qwen2_5_0_5b_instruct"}, {"1.5b", "qwen2_5_1_5b_instruct"},
      {"llama3.2-1b", "llama3_2_1b_instruct"}, {"llama3.1-8b", "llama3_1_8b_instruct"}};
  for (const auto& [name, dir] : shapes) {
    SCOPED_TRACE(name);
    const io::ModelConfig ours = model_shape(name);
    const io::ModelConfig published =
        io::read_model_config(std::string(SOFTCOT_SHARED_DIR) + "/data/model_configs/" + dir + "/config.json");
    // Same tensors and shapes, same RoPE frequencies, same norm epsilon.
    const auto a = io::expected_tensors(ours), b = io::expected_tensors(published);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].name, b[i].name);
      EXPECT_EQ(a[i].shape, b[i].shape) << a[i].name;
    }
    EXPECT_EQ(rope_inv_freq(ours), rope_inv_freq(published));
    EXPECT_EQ(ours.rms_norm_eps, published.rms_norm_eps);
    EXPECT_EQ(ours.architecture, published.architecture);
  }
  EXPECT_THROW(model_shape("7b"), Error);
}

}  // namespace
}  // namespace softcot::model
