#include "store/h5_handle.h"

#include <algorithm>
#include <cstring>
#include <mutex>

namespace softcot::store::h5 {

void quiet_library_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {
struct StackReasons {
  std::string outermost;  // the API call's words, e.g. "unable to flush file's cached information"
  std::string system;     // the operating system's words when a system call failed
};

herr_t collect_reasons(unsigned depth, const H5E_error2_t* entry, void* out) {
  auto* reasons = static_cast<StackReasons*>(out);
  if (entry->desc == nullptr) return 0;
  const std::string desc = entry->desc;
  if (depth == 0) reasons->outermost = desc;
  const std::string marker = "error message = '";  // the sec2 driver quotes strerror()
  if (auto at = desc.find(marker); at != std::string::npos && reasons->system.empty()) {
    const auto start = at + marker.size();
    reasons->system = desc.substr(start, desc.find('\'', start) - start);
  }
  return 0;
}
}  // namespace

std::string last_library_reason() {
  StackReasons reasons;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_reasons, &reasons);
  return reasons.system.empty() ? reasons.outermost : reasons.system;
}

}  // namespace softcot::store::h5

namespace softcot::store::h5 {

void write_text_attribute(hid_t where, const std::string& name, const std::string& value,
                          const std::string& file) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<size_t>(1, value.size()));
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(check(H5Acreate2(where, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    ErrorKind::kIo, file, "cannot create attribute " + name),
              H5Aclose);
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  check(H5Awrite(attr.get(), type.get(), padded.data()), ErrorKind::kIo, file,
        "cannot write attribute " + name);
}

void write_int_attribute(hid_t where, const std::string& name, int64_t value, const std::string& file) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(check(H5Acreate2(where, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    ErrorKind::kIo, file, "cannot create attribute " + name),
              H5Aclose);
  check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), ErrorKind::kIo, file,
        "cannot write attribute " + name);
}

namespace {
Handle open_attribute(hid_t where, const std::string& name, const std::string& file) {
  if (H5Aexists(where, name.c_str()) <= 0) {
    throw bad_input(file, "is not a softcot checkpoint (attribute '" + name + "' is missing)");
  }
  return Handle(check(H5Aopen(where, name.c_str(), H5P_DEFAULT), ErrorKind::kBadInput, file,
                      "cannot open attribute " + name),
                H5Aclose);
}
}  // namespace

std::string read_text_attribute(hid_t where, const std::string& name, const std::string& file) {
  Handle attr = open_attribute(where, name, file);
  Handle stored(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(stored.get()) != H5T_STRING || H5Tis_variable_str(stored.get()) > 0) {
    throw bad_input(file, "attribute '" + name + "' is not a fixed-length string");
  }
  const size_t size = H5Tget_size(stored.get());
  std::string value(size, '\0');
  // Read as stored: HDF5 does not convert between ASCII and UTF-8 strings.
  check(H5Aread(attr.get(), stored.get(), value.data()), ErrorKind::kBadInput, file,
        "cannot read attribute " + name);
  value.resize(strnlen(value.c_str(), size));
  return value;
}

int64_t read_int_attribute(hid_t where, const std::string& name, const std::string& file) {
  Handle attr = open_attribute(where, name, file);
  int64_t value = 0;
  check(H5Aread(attr.get(), H5T_NATIVE_INT64, &value), ErrorKind::kBadInput, file,
        "cannot read attribute " + name);
  return value;
}

}  // namespace softcot::store::h5
