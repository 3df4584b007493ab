// --assistant_model_ckpt's loader on state dicts written by torch.save
// (tests/oracle/make_assistant_ckpt_fixtures.py): values as torch's load_state_dict leaves
// them in a bf16 model, and what strict loading refuses.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "io/fine_tuned_weights.h"
#include "io/model_dir.h"
#include "io_test_util.h"

namespace softcot::io {
namespace {

std::string fixture(const std::string& name) {
  return std::string(SOFTCOT_SOURCE_DIR) + "/tests/oracle/fixtures/assistant_ckpt/" + name;
}

TEST(FineTunedWeights, AnF32StateDictLandsInTheModelsBf16AsTorchRoundsIt) {
  const ModelDir dir = open_model_dir(fixture("model"));
  const auto w = FineTunedWeights::load(fixture("ok_f32.bin"), dir);
  const TensorView& q = w->get("model.layers.0.self_attn.q_proj.weight", {8, 8});
  ASSERT_EQ(q.dtype, DType::kBF16);
  std::ifstream in(fixture("q_proj_after_load.bf16"), std::ios::binary);
  std::vector<char> expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(expected.size(), q.nbytes);
  EXPECT_EQ(std::memcmp(expected.data(), q.data, q.nbytes), 0);
  // Something else than the directory's own weights.
  const TensorView& own = dir.weights.get_checked("model.layers.0.self_attn.q_proj.weight", {8, 8});
  EXPECT_NE(std::memcmp(own.data, q.data, q.nbytes), 0);
  EXPECT_EQ(w->sha256().size(), 64u);
}

TEST(FineTunedWeights, StrictLoadingRefusesWhatLoadStateDictRefuses) {
  const ModelDir dir = open_model_dir(fixture("model"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing.bin", "tensor 'model.norm.weight' is missing"},
      {"extra.bin", "unexpected tensor 'model.layers.0.self_attn.rotary_emb.inv_freq'"},
      {"wrong_shape.bin", "tensor 'model.layers.0.mlp.up_proj.weight' has shape [8, 16]"},
      {"untied_head.bin", "tensor 'lm_head.weight' differs from 'model.embed_tokens.weight'"},
  };
  for (const auto& [file, message] : cases) {
    test::expect_error([&] { FineTunedWeights::load(fixture(file), dir); }, fixture(file), message);
  }
}

}  // namespace
}  // namespace softcot::io
