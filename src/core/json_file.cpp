#include "core/json_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace softcot {

Error bad_input_for_key(const std::string& path, const char* key, const char* what) {
  return bad_input(path, std::string("key '") + key + "' " + what);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bad_input(path, errno_text("cannot open"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Json read_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
    // a number beyond double's range (1e309) throws out_of_range.406 instead.
    std::string reason = e.what();
    const auto pos = reason.find("] ");
    if (pos != std::string::npos) reason = reason.substr(pos + 2);
    throw bad_input(path, "invalid JSON: " + reason);
  }
}

void write_text_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error(tmp, errno_text("cannot create"));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      const std::string reason = errno_text("write");
      ::close(fd);
      ::unlink(tmp.c_str());
      throw io_error(tmp, reason);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string reason = errno_text("fsync/close");
    ::unlink(tmp.c_str());
    throw io_error(tmp, reason);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text("rename");
    ::unlink(tmp.c_str());
    throw io_error(path, reason);
  }
}

}  // namespace softcot
