#pragma once
// Content digests: SHA-256 (OpenSSL) for identities in run fingerprints, CRC-32 (zlib)
// for per-record checksums in the checkpoint.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace softcot {

std::string sha256_hex(std::string_view bytes);
std::string sha256_file_hex(const std::string& path);  // streams the file; throws Error
uint32_t crc32_of(const void* data, size_t size, uint32_t running = 0);

}  // namespace softcot
