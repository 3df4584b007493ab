#include "core/digest.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <fstream>
#include <memory>

#include "core/error.h"

namespace softcot {

namespace {

struct DigestContext {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  DigestContext() { EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr); }
  void update(const void* data, size_t size) { EVP_DigestUpdate(ctx.get(), data, size); }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
    static const char* digits = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < len; ++i) {
      text += digits[out[i] >> 4];
      text += digits[out[i] & 15];
    }
    return text;
  }
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  DigestContext d;
  d.update(bytes.data(), bytes.size());
  return d.hex();
}

std::string sha256_file_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bad_input(path, errno_text("cannot open"));
  DigestContext d;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    d.update(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  return d.hex();
}

uint32_t crc32_of(const void* data, size_t size, uint32_t running) {
  return static_cast<uint32_t>(
      ::crc32(running, static_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

}  // namespace softcot
