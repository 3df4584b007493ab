// softcot make-tiny-projection: a deterministic random SoftCoT projection (nn.Linear
// assistant_hidden -> base_hidden) as safetensors, for the demo and tests. Real runs
// use the projection.bin a SoftCoT training run wrote.
#include <cstring>
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/half.h"
#include "io/safetensors.h"
#include "io/tiny_model.h"

namespace softcot::cli {
namespace {

std::vector<uint8_t> noise_bytes(uint64_t seed, uint32_t tensor_index, int64_t count, double std_dev,
                                 io::DType dtype) {
  std::vector<uint8_t> bytes(static_cast<size_t>(count) * io::dtype_size(dtype));
  for (int64_t i = 0; i < count; ++i) {
    const float value =
        static_cast<float>(std_dev) * io::tiny_model_noise(seed, tensor_index, static_cast<uint64_t>(i));
    if (dtype == io::DType::kBF16) {
      const uint16_t h = f32_to_bf16(value);
      std::memcpy(bytes.data() + 2 * i, &h, 2);
    } else {
      std::memcpy(bytes.data() + 4 * i, &value, 4);
    }
  }
  return bytes;
}

int run(int argc, char** argv) {
  std::string out;
  std::string dtype_name = "bf16";
  int64_t in_features = 0;
  int64_t out_features = 0;
  uint64_t seed = 0;
  double std_dev = 0.5;
  po::options_description options("make-tiny-projection options");
  options.add_options()
      ("out", po::value(&out)->required(), "output .safetensors file")
      ("in_features", po::value(&in_features)->required(), "the assistant model's hidden size")
      ("out_features", po::value(&out_features)->required(), "the base model's hidden size")
      ("seed", po::value(&seed)->default_value(0), "same seed, same bytes")
      ("std", po::value(&std_dev)->default_value(std_dev), "standard deviation of weight and bias")
      ("dtype", po::value(&dtype_name)->default_value(dtype_name), "bf16 or f32");
  const auto parsed = parse_command_line(
      argc, argv,
      "softcot make-tiny-projection --out FILE --in_features A --out_features B [--seed S]", options);
  if (!parsed) return 0;
  if (in_features <= 0 || out_features <= 0) {
    throw usage_error("--in_features and --out_features must be positive");
  }
  io::DType dtype;
  if (dtype_name == "bf16") dtype = io::DType::kBF16;
  else if (dtype_name == "f32") dtype = io::DType::kF32;
  else throw usage_error("--dtype must be bf16 or f32, not '" + dtype_name + "'");

  // nn.Linear's layout: weight [out, in], bias [out].
  std::vector<io::TensorToWrite> tensors;
  tensors.push_back({"weight", dtype, {out_features, in_features},
                     noise_bytes(seed, 0, out_features * in_features, std_dev, dtype)});
  tensors.push_back({"bias", dtype, {out_features}, noise_bytes(seed, 1, out_features, std_dev * 0.1, dtype)});
  io::write_safetensors(out, tensors, {{"format", "pt"}});
  std::cout << out << "\n";
  return 0;
}

const RegisterCommand kRegister{
    {"make-tiny-projection", "write a deterministic random SoftCoT projection (safetensors)", &run}};

}  // namespace
}  // namespace softcot::cli
