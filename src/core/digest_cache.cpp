#include "core/digest_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/log.h"

namespace softcot {

namespace {

namespace fs = std::filesystem;

// What identifies one file's content without reading it; null when it cannot be stat'ed.
nlohmann::json stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return nullptr;
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  return {{"path", ec ? path : absolute.lexically_normal().string()},
          {"size", static_cast<uint64_t>(st.st_size)},
          {"inode", static_cast<uint64_t>(st.st_ino)},
          {"device", static_cast<uint64_t>(st.st_dev)},
          {"mtime_ns", static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec},
          {"ctime_ns", static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec}};
}

nlohmann::json stamps(const std::vector<std::string>& files) {
  auto all = nlohmann::json::array();
  for (const auto& f : files) {
    nlohmann::json s = stamp(f);
    if (s.is_null()) return nullptr;
    all.push_back(std::move(s));
  }
  return all;
}

std::string read_entry(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_entry(const std::string& path, const std::string& text) {
  static std::atomic<int> counter{0};
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string temporary = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    if (!out.flush()) {
      fs::remove(temporary, ec);
      spdlog::debug("digest cache: cannot write {}", temporary);
      return;
    }
  }
  fs::rename(temporary, path, ec);  // atomic: readers see the old entry or the new one
  if (ec) {
    fs::remove(temporary, ec);
    spdlog::debug("digest cache: cannot write {}", path);
  }
}

}  // namespace

std::string digest_cache_dir() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
  };
  if (const std::string dir = env("SOFTCOT_CACHE_DIR"); !dir.empty()) return dir;
  if (const std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty()) return xdg + "/softcot";
  if (const std::string home = env("HOME"); !home.empty()) return home + "/.cache/softcot";
  return {};
}

std::string cached_digest(const std::string& kind, const std::vector<std::string>& files,
                          const std::function<std::string()>& compute, bool* from_cache) {
  if (from_cache != nullptr) *from_cache = false;
  const std::string dir = digest_cache_dir();
  const nlohmann::json before = stamps(files);
  if (dir.empty() || before.is_null()) return compute();

  std::string key_text = kind;
  for (const auto& s : before) key_text += "\n" + s["path"].get<std::string>();
  const std::string entry = dir + "/digests/" + sha256_hex(key_text) + ".json";

  const auto cached = nlohmann::json::parse(read_entry(entry), nullptr, /*allow_exceptions=*/false);
  if (cached.is_object() && cached.value("kind", "") == kind && cached.contains("files") &&
      cached["files"] == before && cached.contains("digest") && cached["digest"].is_string()) {
    if (from_cache != nullptr) *from_cache = true;
    return cached["digest"].get<std::string>();
  }

  const std::string digest = compute();
  // A file written while it was hashed: the digest may match neither version, keep it out.
  if (stamps(files) == before) {
    write_entry(entry, nlohmann::json{{"kind", kind}, {"files", before}, {"digest", digest}}.dump(1));
  }
  return digest;
}

}  // namespace softcot
