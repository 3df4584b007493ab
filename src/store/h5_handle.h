#pragma once
// Thin RAII over HDF5 C handles, and turning a failed HDF5 call into a one-line
// softcot::Error that names the file, the step and the system's reason when there is
// one (e.g. "No space left on device"). Internal to the store.
#include <hdf5.h>

#include <string>
#include <utility>

#include "core/error.h"

namespace softcot::store::h5 {

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept { *this = std::move(other); }
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }
  // Closes now and reports whether the library accepted the close (a file close flushes).
  bool reset() {
    bool ok = true;
    if (id_ >= 0 && closer_ != nullptr) ok = closer_(id_) >= 0;
    id_ = H5I_INVALID_HID;
    return ok;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Silences HDF5's default error printing once per process; our errors say it in one line.
void quiet_library_errors();

// The innermost reason on HDF5's error stack ("No space left on device", "truncated file"...).
std::string last_library_reason();

// For calls returning hid_t/herr_t: throws Error(kind, file, what + reason) when negative.
inline int64_t check(int64_t result, ErrorKind kind, const std::string& file, const std::string& what) {
  if (result < 0) {
    const std::string reason = last_library_reason();
    throw Error(kind, file, what + (reason.empty() ? "" : " (" + reason + ")"));
  }
  return result;
}

// Scalar attributes on a file or object. Strings are fixed-length (SWMR-friendly, and
// h5py/h5dump print them as text). Readers throw bad_input naming `file` when missing.
void write_text_attribute(hid_t where, const std::string& name, const std::string& value,
                          const std::string& file);
void write_int_attribute(hid_t where, const std::string& name, int64_t value, const std::string& file);
std::string read_text_attribute(hid_t where, const std::string& name, const std::string& file);
int64_t read_int_attribute(hid_t where, const std::string& name, const std::string& file);

}  // namespace softcot::store::h5
