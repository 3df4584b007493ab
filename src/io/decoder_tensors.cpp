#include "io/decoder_tensors.h"

namespace softcot::io {

DecoderTensors decoder_tensors(const ModelConfig& c) {
  const int64_t hidden = c.hidden_size;
  const int64_t inter = c.intermediate_size;
  const int64_t q_out = c.num_attention_heads * c.head_dim;
  const int64_t kv_out = c.num_key_value_heads * c.head_dim;
  DecoderTensors d;
  d.embed_tokens = {"model.embed_tokens.weight", {c.vocab_size, hidden}};
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    auto bias = [&](bool present, const char* name, int64_t size) -> std::optional<TensorSpec> {
      if (!present) return std::nullopt;
      return TensorSpec{p + name, {size}};
    };
    LayerTensors l;
    l.input_norm = {p + "input_layernorm.weight", {hidden}};
    l.post_attention_norm = {p + "post_attention_layernorm.weight", {hidden}};
    l.q = {p + "self_attn.q_proj.weight", {q_out, hidden}};
    l.k = {p + "self_attn.k_proj.weight", {kv_out, hidden}};
    l.v = {p + "self_attn.v_proj.weight", {kv_out, hidden}};
    l.o = {p + "self_attn.o_proj.weight", {hidden, q_out}};
    l.gate = {p + "mlp.gate_proj.weight", {inter, hidden}};
    l.up = {p + "mlp.up_proj.weight", {inter, hidden}};
    l.down = {p + "mlp.down_proj.weight", {hidden, inter}};
    l.q_bias = bias(c.attention_bias, "self_attn.q_proj.bias", q_out);
    l.k_bias = bias(c.attention_bias, "self_attn.k_proj.bias", kv_out);
    l.v_bias = bias(c.attention_bias, "self_attn.v_proj.bias", kv_out);
    l.o_bias = bias(c.o_proj_bias, "self_attn.o_proj.bias", hidden);
    l.gate_bias = bias(c.mlp_bias, "mlp.gate_proj.bias", inter);
    l.up_bias = bias(c.mlp_bias, "mlp.up_proj.bias", inter);
    l.down_bias = bias(c.mlp_bias, "mlp.down_proj.bias", hidden);
    d.layers.push_back(std::move(l));
  }
  d.final_norm = {"model.norm.weight", {hidden}};
  if (!c.tie_word_embeddings) d.lm_head = TensorSpec{"lm_head.weight", {c.vocab_size, hidden}};
  return d;
}

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  const DecoderTensors d = decoder_tensors(c);
  std::vector<TensorSpec> specs{d.embed_tokens};
  auto add = [&](const std::optional<TensorSpec>& s) {
    if (s) specs.push_back(*s);
  };
  for (const LayerTensors& l : d.layers) {
    specs.push_back(l.input_norm);
    specs.push_back(l.q);
    add(l.q_bias);
    specs.push_back(l.k);
    add(l.k_bias);
    specs.push_back(l.v);
    add(l.v_bias);
    specs.push_back(l.o);
    add(l.o_bias);
    specs.push_back(l.post_attention_norm);
    specs.push_back(l.gate);
    add(l.gate_bias);
    specs.push_back(l.up);
    add(l.up_bias);
    specs.push_back(l.down);
    add(l.down_bias);
  }
  specs.push_back(d.final_norm);
  add(d.lm_head);
  return specs;
}

}  // namespace softcot::io
