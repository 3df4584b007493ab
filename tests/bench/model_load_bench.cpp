// Model loading throughput from the page cache: open_model_dir (parse, map, check every
// tensor against the config) and then touch every page of every tensor, against a plain
// read() of the same files into a buffer. Prints GB/s for both and their ratio.
// Usage: model_load_bench MODEL_DIR [REPEATS]
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "io/model_dir.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The baseline: read() every weight file through a 16 MiB buffer, as `cat` does.
size_t read_all(const std::vector<std::string>& files, unsigned* checksum) {
  static std::vector<char> buffer(16 << 20);
  size_t total = 0;
  for (const auto& path : files) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) std::exit(1);
    ssize_t n;
    while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
      total += static_cast<size_t>(n);
      *checksum += static_cast<unsigned char>(buffer[0]);
    }
    ::close(fd);
  }
  return total;
}

// What a loader must do before compute can start: open, check, and fault in every page.
size_t open_and_touch(const std::string& dir, unsigned* checksum) {
  const softcot::io::ModelDir model = softcot::io::open_model_dir(dir);
  size_t total = 0;
  for (const auto& [name, view] : model.weights.tensors()) {
    const auto* p = static_cast<const volatile unsigned char*>(view.data);
    for (size_t offset = 0; offset < view.nbytes; offset += 4096) *checksum += p[offset];
    total += view.nbytes;
  }
  return total;
}

// A stricter figure: every byte read (as 64-bit words), not just one per page.
size_t open_and_read_every_byte(const std::string& dir, unsigned* checksum) {
  const softcot::io::ModelDir model = softcot::io::open_model_dir(dir);
  size_t total = 0;
  uint64_t acc = 0;
  for (const auto& [name, view] : model.weights.tensors()) {
    const auto* words = static_cast<const uint64_t*>(view.data);  // tensors are 8-aligned here
    for (size_t i = 0; i < view.nbytes / 8; ++i) acc ^= words[i];
    total += view.nbytes;
  }
  *checksum += static_cast<unsigned>(acc);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL_DIR [REPEATS]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".safetensors") files.push_back(entry.path().string());
  }
  unsigned checksum = 0;
  read_all(files, &checksum);  // warm the page cache
  double best_read = 1e9, best_open = 1e9, best_every = 1e9;
  size_t read_bytes = 0, tensor_bytes = 0;
  for (int r = 0; r < repeats; ++r) {  // interleaved, so both see the same machine state
    auto start = std::chrono::steady_clock::now();
    read_bytes = read_all(files, &checksum);
    best_read = std::min(best_read, seconds_since(start));
    start = std::chrono::steady_clock::now();
    tensor_bytes = open_and_touch(dir, &checksum);
    best_open = std::min(best_open, seconds_since(start));
    start = std::chrono::steady_clock::now();
    open_and_read_every_byte(dir, &checksum);
    best_every = std::min(best_every, seconds_since(start));
  }
  const double read_gbs = read_bytes / best_read / 1e9;
  const double open_gbs = tensor_bytes / best_open / 1e9;
  std::printf("model bytes: %zu in tensors, %zu in files; best of %d\n", tensor_bytes, read_bytes, repeats);
  std::printf("baseline read():            %.3f s  %.2f GB/s\n", best_read, read_gbs);
  std::printf("open_model_dir + touch:     %.3f s  %.2f GB/s\n", best_open, open_gbs);
  std::printf("open_model_dir + every byte: %.3f s  %.2f GB/s\n", best_every, tensor_bytes / best_every / 1e9);
  std::printf("ratio (ours / read):        %.2f  (every byte: %.2f)\n", open_gbs / read_gbs,
              tensor_bytes / best_every / 1e9 / read_gbs);
  std::printf("goal >= 1 GB/s:             %s   (checksum %u)\n", open_gbs >= 1.0 ? "met" : "NOT met", checksum);
  return 0;
}
