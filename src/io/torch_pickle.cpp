#include "io/torch_pickle.h"

#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "core/error.h"

namespace softcot::io::pickle {
namespace {

using Kind = Value::Kind;

constexpr size_t kMaxValues = 1'000'000;  // a state dict of any real model needs far fewer

bool is_allowed_global(const std::string& name) {
  static const char* const kAllowed[] = {
      "collections OrderedDict", "torch._utils _rebuild_tensor_v2", "torch FloatStorage",
      "torch HalfStorage",       "torch BFloat16Storage",           "torch DoubleStorage",
      "torch LongStorage",       "torch IntStorage",                "torch ShortStorage",
      "torch CharStorage",       "torch ByteStorage",               "torch BoolStorage"};
  for (const char* allowed : kAllowed) {
    if (name == allowed) return true;
  }
  return false;
}

}  // namespace

class Machine {
 public:
  Machine(const std::string& file, const uint8_t* bytes, size_t size)
      : file_(file), begin_(bytes), p_(bytes), end_(bytes + size) {}

  Unpickled run() {
    while (true) {
      const uint8_t op = u8();
      switch (op) {
        case 0x80: u8(); break;                            // PROTO n
        case 0x95: take(8); break;                         // FRAME length (protocol 4)
        case '(': marks_.push_back(stack_.size()); break;  // MARK
        case '.': {                                        // STOP
          out_.root_ = pop();
          return std::move(out_);
        }
        case 'N': push(make(Kind::kNone)); break;
        case 0x88: case 0x89: push(make_int(Kind::kBool, op == 0x88)); break;  // NEWTRUE/NEWFALSE
        case 'K': push(make_int(Kind::kInt, u8())); break;                     // BININT1
        case 'M': push(make_int(Kind::kInt, static_cast<int64_t>(uint_le(2)))); break;  // BININT2
        case 'J': push(make_int(Kind::kInt, static_cast<int32_t>(uint_le(4)))); break;  // BININT
        case 0x8a: push(make_int(Kind::kInt, long1())); break;                 // LONG1
        case 'G': {                                        // BINFLOAT: big-endian double
          uint64_t bits = 0;
          const uint8_t* b = take(8);
          for (int i = 0; i < 8; ++i) bits = (bits << 8) | b[i];
          Value* v = make(Kind::kFloat);
          std::memcpy(&v->number, &bits, 8);
          push(v);
          break;
        }
        case 'X': push(make_string(string_of(uint_le(4)))); break;  // BINUNICODE
        case 0x8c: push(make_string(string_of(u8()))); break;       // SHORT_BINUNICODE
        case 'c': {                                        // GLOBAL "module\nname\n"
          const std::string module = line();
          push_global(module + " " + line());
          break;
        }
        case 0x93: {                                       // STACK_GLOBAL
          const Value* name = pop();
          const Value* module = pop();
          if (module->kind != Kind::kString || name->kind != Kind::kString) fail("STACK_GLOBAL of non-strings");
          push_global(module->text + " " + name->text);
          break;
        }
        case 'q': memo(u8()); break;                       // BINPUT
        case 'r': memo(uint_le(4)); break;                 // LONG_BINPUT
        case 0x94: memo(memo_.size()); break;              // MEMOIZE
        case 'h': push(recall(u8())); break;               // BINGET
        case 'j': push(recall(uint_le(4))); break;         // LONG_BINGET
        case ')': push(make(Kind::kTuple)); break;         // EMPTY_TUPLE
        case ']': push(make(Kind::kList)); break;          // EMPTY_LIST
        case '}': push(make(Kind::kDict)); break;          // EMPTY_DICT
        case 't': push(sequence(Kind::kTuple, pop_mark())); break;  // TUPLE
        case 'l': push(sequence(Kind::kList, pop_mark())); break;   // LIST
        case 0x85: case 0x86: case 0x87: {                 // TUPLE1..3
          std::vector<const Value*> items(op - 0x84);
          for (size_t i = items.size(); i-- > 0;) items[i] = pop();
          push(sequence(Kind::kTuple, std::move(items)));
          break;
        }
        case 'a': {                                        // APPEND
          const Value* item = pop();
          target(Kind::kList)->items.push_back(item);
          break;
        }
        case 'e': {                                        // APPENDS
          const auto items = pop_mark();
          auto& list = target(Kind::kList)->items;
          list.insert(list.end(), items.begin(), items.end());
          break;
        }
        case 's': {                                        // SETITEM
          const Value* value = pop();
          const Value* key = pop();
          target(Kind::kDict)->dict.emplace_back(key, value);
          break;
        }
        case 'u': {                                        // SETITEMS
          const auto items = pop_mark();
          if (items.size() % 2 != 0) fail("SETITEMS with an odd number of items");
          auto& dict = target(Kind::kDict)->dict;
          for (size_t i = 0; i < items.size(); i += 2) dict.emplace_back(items[i], items[i + 1]);
          break;
        }
        case 'Q': push(persistent(pop())); break;          // BINPERSID
        case 'R': {                                        // REDUCE
          const Value* args = pop();
          const Value* callable = pop();
          push(reduce(callable, args));
          break;
        }
        case 'b': {                                        // BUILD: only OrderedDict._metadata
          pop();
          if (top()->kind != Kind::kDict) fail("BUILD on something other than an OrderedDict");
          break;
        }
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          fail(std::string("unsupported pickle opcode ") + hex + " at byte " + std::to_string(p_ - 1 - begin_));
        }
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& reason) const { throw bad_input(file_, "data.pkl: " + reason); }

  const uint8_t* take(uint64_t n) {
    if (static_cast<uint64_t>(end_ - p_) < n) fail("truncated pickle (ends before STOP)");
    const uint8_t* at = p_;
    p_ += n;
    return at;
  }
  uint8_t u8() { return *take(1); }
  uint64_t uint_le(size_t n) {
    const uint8_t* b = take(n);
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | b[i];
    return v;
  }
  int64_t long1() {  // two's complement little-endian; 8 bytes at most here
    const size_t n = u8();
    if (n > 8) fail("LONG1 wider than 64 bits");
    if (n == 0) return 0;
    uint64_t v = uint_le(n);
    if (n < 8 && ((v >> (8 * n - 1)) & 1)) v |= ~uint64_t{0} << (8 * n);  // sign-extend
    return static_cast<int64_t>(v);
  }
  std::string string_of(uint64_t n) {
    const uint8_t* b = take(n);
    return std::string(reinterpret_cast<const char*>(b), n);
  }
  std::string line() {
    std::string out;
    for (uint8_t c = u8(); c != '\n'; c = u8()) {
      if (out.size() > 256) fail("GLOBAL name too long");
      out.push_back(static_cast<char>(c));
    }
    return out;
  }

  Value* make(Kind kind) {
    if (out_.arena_.size() >= kMaxValues) fail("too many pickle values");
    out_.arena_.push_back(std::make_unique<Value>());
    out_.arena_.back()->kind = kind;
    return out_.arena_.back().get();
  }
  Value* make_int(Kind kind, int64_t i) {
    Value* v = make(kind);
    v->integer = i;
    return v;
  }
  Value* make_string(std::string s) {
    Value* v = make(Kind::kString);
    v->text = std::move(s);
    return v;
  }
  Value* sequence(Kind kind, std::vector<const Value*> items) {
    Value* v = make(kind);
    v->items = std::move(items);
    return v;
  }

  // The stack holds mutable pointers: APPEND/SETITEM change the value on top.
  void push(const Value* v) { stack_.push_back(const_cast<Value*>(v)); }
  Value* pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("pickle stack underflow");
    Value* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Value* top() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("pickle stack underflow");
    return stack_.back();
  }
  Value* target(Kind kind) {
    Value* t = top();
    if (t->kind != kind) fail("item added to a value of the wrong kind");
    return t;
  }
  std::vector<const Value*> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const size_t at = marks_.back();
    marks_.pop_back();
    std::vector<const Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(at), stack_.end());
    stack_.resize(at);
    return items;
  }
  void memo(uint64_t index) {
    if (memo_.size() >= kMaxValues) fail("pickle memo too large");
    memo_[index] = top();
  }
  Value* recall(uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("BINGET of unset memo slot " + std::to_string(index));
    return it->second;
  }
  void push_global(const std::string& name) {
    if (!is_allowed_global(name)) fail("global '" + name + "' is not allowed in a state dict");
    Value* v = make(Kind::kGlobal);
    v->text = name;
    push(v);
  }

  const Value* persistent(const Value* pid) {
    const auto& t = pid->items;
    if (pid->kind != Kind::kTuple || t.size() != 5 || t[0]->kind != Kind::kString || t[0]->text != "storage" ||
        t[1]->kind != Kind::kGlobal || t[2]->kind != Kind::kString || t[3]->kind != Kind::kString ||
        t[4]->kind != Kind::kInt || t[4]->integer < 0) {
      fail("persistent id is not ('storage', type, key, location, numel)");
    }
    Value* v = make(Kind::kStorage);
    v->storage = {t[1]->text.substr(t[1]->text.find(' ') + 1), t[2]->text, t[3]->text, t[4]->integer};
    return v;
  }

  std::vector<int64_t> int_tuple(const Value* v, const char* what) {
    if (v->kind != Kind::kTuple) fail(std::string(what) + " is not a tuple");
    std::vector<int64_t> out;
    for (const Value* item : v->items) {
      if (item->kind != Kind::kInt || item->integer < 0) fail(std::string(what) + " holds a non-count");
      out.push_back(item->integer);
    }
    return out;
  }

  const Value* reduce(const Value* callable, const Value* args) {
    if (callable->kind != Kind::kGlobal || args->kind != Kind::kTuple) fail("REDUCE of a non-global");
    if (callable->text == "collections OrderedDict") {
      if (!args->items.empty()) fail("OrderedDict with arguments");
      return make(Kind::kDict);
    }
    if (callable->text == "torch._utils _rebuild_tensor_v2") {
      const auto& a = args->items;
      if (a.size() < 4 || a[0]->kind != Kind::kStorage || a[1]->kind != Kind::kInt || a[1]->integer < 0) {
        fail("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, ...)");
      }
      Value* v = make(Kind::kTensor);
      v->tensor = {a[0]->storage, a[1]->integer, int_tuple(a[2], "tensor size"), int_tuple(a[3], "tensor stride")};
      if (v->tensor.size.size() != v->tensor.stride.size()) fail("tensor size and stride differ in length");
      return v;
    }
    fail("'" + callable->text + "' cannot be called");
  }

  std::string file_;
  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  Unpickled out_;
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Value*> memo_;
};

Unpickled load(const std::string& file, const uint8_t* bytes, size_t size) {
  return Machine(file, bytes, size).run();
}

}  // namespace softcot::io::pickle
