// CUDA and cuBLAS failures as one-line softcot::Errors of kind kCrashLike (exit 70).
#include "cuda_check.h"

namespace softcot::cuda {

int64_t& current_sample() {
  thread_local int64_t sample = -1;
  return sample;
}

namespace {

std::string sample_suffix() {
  const int64_t sample = current_sample();
  return sample >= 0 ? " (sample " + std::to_string(sample) + ")" : "";
}

std::string where(const char* file, int line) {
  std::string f = file;
  const size_t slash = f.find_last_of('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  return " [" + f + ":" + std::to_string(line) + "]";
}

}  // namespace

void throw_cuda_error(const char* what, cudaError_t status, const char* file, int line) {
  throw Error(ErrorKind::kCrashLike, "cuda",
              std::string(what) + " failed: " + cudaGetErrorName(status) + ": " +
                  cudaGetErrorString(status) + sample_suffix() + where(file, line));
}

void throw_cublas_error(const char* what, cublasStatus_t status, const char* file, int line) {
  throw Error(ErrorKind::kCrashLike, "cuda",
              std::string(what) + " failed: " + cublasGetStatusName(status) + ": " +
                  cublasGetStatusString(status) + sample_suffix() + where(file, line));
}

}  // namespace softcot::cuda
