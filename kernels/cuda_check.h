#pragma once
// How the CUDA backend fails. A CUDA error after a launch is usually sticky (the context
// is unusable), so it is never retried in-process: it becomes a softcot::Error of kind
// kCrashLike (exit 70), which the supervisor retries as it would a crash. The message
// names the kernel or launcher, and the sample when the caller set one (CudaSampleScope).
// "No GPU" is different: a kFailure with "no CUDA device: <why>", never a crash.
#include <cuda_runtime.h>
#include <cublasLt.h>
#include <cublas_v2.h>

#include <string>

#include "core/error.h"

namespace softcot::cuda {

// The sample a thread is working on, for error messages (-1: none). Set by
// CudaSampleScope around the work of one sample; batched steps name the first.
int64_t& current_sample();

struct CudaSampleScope {
  explicit CudaSampleScope(int64_t sample) : previous(current_sample()) { current_sample() = sample; }
  ~CudaSampleScope() { current_sample() = previous; }
  int64_t previous;
};

[[noreturn]] void throw_cuda_error(const char* what, cudaError_t status, const char* file, int line);
[[noreturn]] void throw_cublas_error(const char* what, cublasStatus_t status, const char* file,
                                     int line);

}  // namespace softcot::cuda

// CUDA_CHECK("rmsnorm_kernel", cudaGetLastError()): names the kernel in the error.
#define CUDA_CHECK(what, call)                                                            \
  do {                                                                                    \
    const cudaError_t softcot_status_ = (call);                                           \
    if (softcot_status_ != cudaSuccess)                                                   \
      ::softcot::cuda::throw_cuda_error((what), softcot_status_, __FILE__, __LINE__);     \
  } while (0)

// After a kernel launch: launch-configuration errors show here, execution errors at the
// next synchronising call (which is checked too, naming what it waited for).
#define CUDA_CHECK_LAUNCH(kernel_name) CUDA_CHECK(kernel_name, cudaGetLastError())

#define CUBLAS_CHECK(what, call)                                                          \
  do {                                                                                    \
    const cublasStatus_t softcot_status_ = (call);                                        \
    if (softcot_status_ != CUBLAS_STATUS_SUCCESS)                                         \
      ::softcot::cuda::throw_cublas_error((what), softcot_status_, __FILE__, __LINE__);   \
  } while (0)
