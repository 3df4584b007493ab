#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/half.h"
#include "core/json_file.h"
#include "io/model_dir.h"
#include "io/tiny_model.h"
#include "io_test_util.h"

namespace softcot::io {
namespace {
namespace fs = std::filesystem;
using test::expect_error;

const std::string kTokenizer = std::string(SOFTCOT_SHARED_DIR) + "/data/tokenizers/qwen3/tokenizer.json";

TinyModelOptions tiny(const std::string& out, uint64_t seed = 1) {
  TinyModelOptions o;
  o.out_dir = out;
  o.tokenizer_json = kTokenizer;
  o.seed = seed;
  o.hidden_size = 32;
  o.num_layers = 2;
  o.num_heads = 4;
  o.num_kv_heads = 2;
  o.intermediate_size = 48;
  return o;
}

// A tiny model in a fresh directory, plus its tensors as TensorToWrite for rewriting.
std::string make_model(const std::string& name, TinyModelOptions o) {
  o.out_dir = test::fresh_dir(name);
  write_tiny_model(o);
  return o.out_dir;
}

std::vector<TensorToWrite> tensors_of(const std::string& safetensors_path) {
  const WeightFiles files = WeightFiles::open_file(safetensors_path);
  std::vector<TensorToWrite> out;
  for (const auto& [name, view] : files.tensors()) {
    const auto* p = static_cast<const uint8_t*>(view.data);
    out.push_back({name, view.dtype, view.shape, std::vector<uint8_t>(p, p + view.nbytes)});
  }
  return out;
}

TEST(TinyModel, OpensWithEveryTensorCheckedAgainstTheConfig) {
  const std::string dir = make_model("tiny_open", tiny(""));
  const ModelDir model = open_model_dir(dir);
  EXPECT_EQ(model.path, dir);
  EXPECT_EQ(model.config.hidden_size, 32);
  EXPECT_EQ(model.config.head_dim, 8);
  EXPECT_EQ(model.config.vocab_size, 151669);  // the qwen3 tokenizer's largest id + 1
  EXPECT_TRUE(model.config.tie_word_embeddings);
  EXPECT_TRUE(model.generation.do_sample);
  EXPECT_EQ(model.generation.top_k, 20);
  EXPECT_EQ(model.generation.eos_token_ids, (std::vector<int32_t>{151645, 151643}));
  EXPECT_TRUE(fs::exists(model.tokenizer_json));
  EXPECT_TRUE(fs::exists(model.tokenizer_config_json));
  // 2 layers x 12 tensors (q/k/v biases included) + embedding + final norm; tied: no lm_head.
  EXPECT_EQ(model.weights.tensors().size(), 26u);
  EXPECT_FALSE(model.weights.contains("lm_head.weight"));
  const auto& k = model.weights.get("model.layers.1.self_attn.k_proj.weight");
  EXPECT_EQ(k.shape, (std::vector<int64_t>{16, 32}));  // 2 kv heads x 8
  EXPECT_EQ(k.dtype, DType::kBF16);
}

TEST(TinyModel, SameSeedSameBytesOtherSeedOtherBytes) {
  const std::string a = make_model("tiny_seed_a", tiny("", 5));
  const std::string b = make_model("tiny_seed_b", tiny("", 5));
  const std::string c = make_model("tiny_seed_c", tiny("", 6));
  for (const char* file : {"model.safetensors", "config.json", "generation_config.json"}) {
    EXPECT_EQ(test::read_bytes(a + "/" + file), test::read_bytes(b + "/" + file)) << file;
  }
  EXPECT_NE(test::read_bytes(a + "/model.safetensors"), test::read_bytes(c + "/model.safetensors"));
}

TEST(TinyModel, NoiseHasMeanZeroAndUnitVariance) {
  // Irwin-Hall of four uniforms, rescaled: mean 0, variance 1, |x| <= 2 sqrt(3).
  double sum = 0, sum_sq = 0, max_abs = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = tiny_model_noise(42, 3, static_cast<uint64_t>(i));
    sum += x;
    sum_sq += x * x;
    max_abs = std::max(max_abs, std::abs(x));
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.02);
  EXPECT_LE(max_abs, 2 * std::sqrt(3.0));
  EXPECT_GT(max_abs, 2.5);  // the tails are reached
}

TEST(TinyModel, WeightsHaveTheRequestedScale) {
  const std::string dir = make_model("tiny_scale", tiny(""));
  const WeightFiles files = WeightFiles::open_dir(dir);
  auto stats = [&](const std::string& name) {
    const auto& v = files.get(name);
    const auto* p = static_cast<const uint16_t*>(v.data);
    double sum = 0, sum_sq = 0;
    for (int64_t i = 0; i < v.numel(); ++i) {
      const double x = bf16_to_f32(p[i]);
      sum += x;
      sum_sq += x * x;
    }
    const double mean = sum / v.numel();
    return std::pair{mean, std::sqrt(sum_sq / v.numel() - mean * mean)};
  };
  const auto [embed_mean, embed_std] = stats("model.embed_tokens.weight");
  EXPECT_NEAR(embed_mean, 0.0, 1e-3);
  EXPECT_NEAR(embed_std, 0.02, 1e-3);
  const auto [norm_mean, norm_std] = stats("model.layers.0.input_layernorm.weight");
  EXPECT_NEAR(norm_mean, 1.0, 0.02);
  EXPECT_GT(norm_std, 0.005);
}

TEST(TinyModel, UntiedF32WritesAnLmHead) {
  TinyModelOptions o = tiny("");
  o.tied = false;
  o.dtype = DType::kF32;
  o.head_dim = 16;  // wider than hidden_size / num_heads, as some models do
  const ModelDir model = open_model_dir(make_model("tiny_untied", o));
  EXPECT_FALSE(model.config.tie_word_embeddings);
  EXPECT_EQ(model.config.head_dim, 16);
  EXPECT_EQ(model.weights.get("lm_head.weight").dtype, DType::kF32);
  EXPECT_EQ(model.weights.get("model.layers.0.self_attn.q_proj.weight").shape,
            (std::vector<int64_t>{64, 32}));
}

TEST(ModelDir, ConfigShapeMismatchNamesTensorAndShapes) {
  const std::string dir = make_model("dir_wrong_shape", tiny(""));
  Json config = read_json_file(dir + "/config.json");
  config["intermediate_size"] = 40;
  write_text_file_atomic(dir + "/config.json", config.dump());
  expect_error([&] { open_model_dir(dir); }, dir + "/model.safetensors",
               "tensor 'model.layers.0.mlp.gate_proj.weight' has shape [48, 32], expected [40, 32]");
}

TEST(ModelDir, MissingTensorIsNamed) {
  const std::string dir = make_model("dir_missing_tensor", tiny(""));
  auto tensors = tensors_of(dir + "/model.safetensors");
  std::erase_if(tensors, [](const TensorToWrite& t) { return t.name == "model.layers.1.self_attn.v_proj.bias"; });
  write_safetensors(dir + "/model.safetensors", tensors);
  expect_error([&] { open_model_dir(dir); }, dir + "/model.safetensors",
               "tensor 'model.layers.1.self_attn.v_proj.bias' is missing");
}

TEST(ModelDir, WrongDtypeIsNamed) {
  const std::string dir = make_model("dir_wrong_dtype", tiny(""));
  std::string bytes = test::read_bytes(dir + "/model.safetensors");
  // Same length, still valid JSON: only the dtype changes.
  const std::string from = R"("model.norm.weight":{"dtype":"BF16")";
  const std::string to = R"("model.norm.weight":{"dtype":"I16" )";
  const auto at = bytes.find(from);
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, from.size(), to);
  test::write_bytes(dir + "/model.safetensors", bytes);
  expect_error([&] { open_model_dir(dir); }, dir + "/model.safetensors",
               "tensor 'model.norm.weight' has dtype I16, expected one of F32, F16, BF16");
}

TEST(ModelDir, MissingOrMalformedConfig) {
  const std::string dir = make_model("dir_bad_config", tiny(""));
  fs::remove(dir + "/config.json");
  expect_error([&] { open_model_dir(dir); }, dir + "/config.json", "cannot open");
  test::write_bytes(dir + "/config.json", "{\"model_type\": \"qwen2\",");
  expect_error([&] { open_model_dir(dir); }, dir + "/config.json", "invalid JSON");
}

TEST(ModelDir, NoWeightsIsAOneLineError) {
  const std::string dir = make_model("dir_no_weights", tiny(""));
  fs::remove(dir + "/model.safetensors");
  expect_error([&] { open_model_dir(dir); }, dir, "no model.safetensors or model.safetensors.index.json");
}

TEST(ModelDir, ReadsShardedWeights) {
  const std::string dir = make_model("dir_sharded", tiny(""));
  const auto tensors = tensors_of(dir + "/model.safetensors");
  std::vector<TensorToWrite> first, second;
  Json weight_map = Json::object();
  for (const auto& t : tensors) {
    const bool early = t.name.find("layers.1.") == std::string::npos && t.name != "model.norm.weight";
    (early ? first : second).push_back(t);
    weight_map[t.name] = early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  write_safetensors(dir + "/model-00001-of-00002.safetensors", first);
  write_safetensors(dir + "/model-00002-of-00002.safetensors", second);
  fs::remove(dir + "/model.safetensors");
  const Json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", weight_map}};
  write_text_file_atomic(dir + "/model.safetensors.index.json", index.dump());

  const ModelDir model = open_model_dir(dir);
  EXPECT_EQ(model.weights.tensors().size(), tensors.size());
  EXPECT_EQ(model.weights.get("model.norm.weight").file, dir + "/model-00002-of-00002.safetensors");
  EXPECT_EQ(model.weights.get("model.embed_tokens.weight").file, dir + "/model-00001-of-00002.safetensors");
  for (const auto& t : tensors) {
    const auto& view = model.weights.get(t.name);
    ASSERT_EQ(view.nbytes, t.bytes.size());
    EXPECT_EQ(std::memcmp(view.data, t.bytes.data(), view.nbytes), 0) << t.name;
  }

  // The index names a shard that lacks the tensor.
  Json wrong = index;
  wrong["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors";
  write_text_file_atomic(dir + "/model.safetensors.index.json", wrong.dump());
  expect_error([&] { open_model_dir(dir); }, dir + "/model-00001-of-00002.safetensors",
               "tensor 'model.norm.weight' is missing");
  // A shard path that leaves the directory.
  wrong = index;
  wrong["weight_map"]["model.norm.weight"] = "../elsewhere.safetensors";
  write_text_file_atomic(dir + "/model.safetensors.index.json", wrong.dump());
  expect_error([&] { open_model_dir(dir); }, dir + "/model.safetensors.index.json",
               "not a file in the model directory");
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value.empty()) ::unsetenv(name); else ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1); else ::unsetenv(name_);
  }
 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The layout huggingface_hub writes: models--Org--Name/{refs/main, snapshots/<rev>/...}.
std::string make_fake_hub(const std::string& hub, const std::string& revision) {
  const fs::path repo = fs::path(hub) / "models--TinyOrg--Tiny-Qwen";
  fs::create_directories(repo / "refs");
  test::write_bytes((repo / "refs" / "main").string(), revision + "\n");
  const fs::path snapshot = repo / "snapshots" / revision;
  TinyModelOptions o = tiny(snapshot.string());
  write_tiny_model(o);
  return snapshot.string();
}

TEST(HfCache, ResolvesIdsThroughHubCacheHfHomeAndHome) {
  const std::string root = test::fresh_dir("hf_cache");
  const std::string snapshot = make_fake_hub(root + "/hub", "0123abcd");
  {
    ScopedEnv hub("HF_HUB_CACHE", root + "/hub");
    EXPECT_EQ(resolve_model_dir("TinyOrg/Tiny-Qwen"), snapshot);
    EXPECT_EQ(open_model_dir("TinyOrg/Tiny-Qwen").config.hidden_size, 32);
  }
  {
    ScopedEnv hub("HF_HUB_CACHE", "");
    ScopedEnv home("HF_HOME", root);
    EXPECT_EQ(hf_hub_cache_dir(), root + "/hub");
    EXPECT_EQ(resolve_model_dir("TinyOrg/Tiny-Qwen"), snapshot);
  }
  {
    ScopedEnv hub("HF_HUB_CACHE", "");
    ScopedEnv hf_home("HF_HOME", "");
    ScopedEnv home("HOME", "/home/someone");
    EXPECT_EQ(hf_hub_cache_dir(), "/home/someone/.cache/huggingface/hub");
  }
}

TEST(HfCache, MissingModelSaysHowToFetchIt) {
  const std::string root = test::fresh_dir("hf_cache_missing");
  make_fake_hub(root + "/hub", "feedbeef");
  ScopedEnv hub("HF_HUB_CACHE", root + "/hub");
  const std::string message = expect_error([] { resolve_model_dir("Qwen/Qwen2.5-1.5B-Instruct"); },
                                           "Qwen/Qwen2.5-1.5B-Instruct",
                                           "huggingface-cli download Qwen/Qwen2.5-1.5B-Instruct");
  EXPECT_NE(message.find(root + "/hub"), std::string::npos) << message;
  // refs/main naming a snapshot that is not there.
  test::write_bytes(root + "/hub/models--TinyOrg--Tiny-Qwen/refs/main", "cafe0000");
  expect_error([] { resolve_model_dir("TinyOrg/Tiny-Qwen"); },
               root + "/hub/models--TinyOrg--Tiny-Qwen/refs/main", "huggingface-cli download TinyOrg/Tiny-Qwen");
  expect_error([] { resolve_model_dir("./not/a/dir/either"); }, "./not/a/dir/either", "no such model directory");
}

TEST(MakeTinyModelCli, WritesWhatTheFlagsSay) {
  const std::string dir = test::fresh_dir("cli_tiny") + "/model";
  const std::string command = std::string(SOFTCOT_BINARY) + " make-tiny-model --out " + dir +
                              " --tokenizer " + kTokenizer +
                              " --seed 9 --hidden_size 24 --num_layers 1 --num_heads 3 --num_kv_heads 1"
                              " --intermediate_size 40 --dtype f32 --untied --rope_theta 10000 > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const ModelDir model = open_model_dir(dir);
  EXPECT_EQ(model.config.hidden_size, 24);
  EXPECT_EQ(model.config.num_hidden_layers, 1);
  EXPECT_EQ(model.config.num_key_value_heads, 1);
  EXPECT_EQ(model.config.intermediate_size, 40);
  EXPECT_DOUBLE_EQ(model.config.rope_theta, 10000);
  EXPECT_EQ(model.config.torch_dtype, "float32");
  EXPECT_TRUE(model.weights.contains("lm_head.weight"));
  // Bad flags: non-zero exit, nothing written.
  const std::string bad = std::string(SOFTCOT_BINARY) + " make-tiny-model --out " + dir +
                          "2 --tokenizer " + kTokenizer + " --dtype f8 2> /dev/null";
  EXPECT_NE(std::system(bad.c_str()), 0);
  EXPECT_FALSE(fs::exists(dir + "2"));
}

}  // namespace
}  // namespace softcot::io
