// softcot tokenize: text <-> token ids through a tokenizer.json, one JSON value per line,
// for checking the C++ tokenizer against HF from the shell and for benchmarks.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/json_file.h"
#include "tokenizer/tokenizer.h"

namespace softcot::cli {
namespace {

using tokenizer::Tokenizer;

std::string tokenizer_file(const std::string& path) {
  if (std::filesystem::is_directory(path)) return (std::filesystem::path(path) / "tokenizer.json").string();
  return path;
}

Json parse_line(const std::string& line, size_t number) {
  try {
    return Json::parse(line);
  } catch (const nlohmann::json::parse_error&) {
    throw bad_input("stdin line " + std::to_string(number), "not valid JSON");
  }
}

void encode_lines(const Tokenizer& tok) {
  std::string line;
  for (size_t number = 1; std::getline(std::cin, line); ++number) {
    const Json value = parse_line(line, number);
    if (!value.is_string()) throw bad_input("stdin line " + std::to_string(number), "expected a JSON string");
    std::cout << Json(tok.encode(value.get<std::string>())).dump() << '\n';
  }
}

void decode_lines(const Tokenizer& tok, bool skip_special_tokens) {
  std::string line;
  std::vector<int32_t> ids;
  for (size_t number = 1; std::getline(std::cin, line); ++number) {
    const Json value = parse_line(line, number);
    ids.clear();
    bool ok = value.is_array();
    for (const auto& id : value) {
      if (!ok || !id.is_number_integer() || id.get<int64_t>() < INT32_MIN || id.get<int64_t>() > INT32_MAX) {
        ok = false;
        break;
      }
      ids.push_back(static_cast<int32_t>(id.get<int64_t>()));
    }
    if (!ok) throw bad_input("stdin line " + std::to_string(number), "expected a JSON array of integer ids");
    std::cout << Json(tok.decode(ids, skip_special_tokens)).dump() << '\n';
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Times encoding only: the texts are read and the tokenizer loaded before the clock starts.
// The first pass runs with a cold word cache, the others warm (HF keeps a cache too).
void bench(const std::string& path, int repeats) {
  std::vector<std::string> texts;
  std::string line;
  for (size_t number = 1; std::getline(std::cin, line); ++number) {
    const Json value = parse_line(line, number);
    if (!value.is_string()) throw bad_input("stdin line " + std::to_string(number), "expected a JSON string");
    texts.push_back(value.get<std::string>());
  }
  auto start = std::chrono::steady_clock::now();
  const Tokenizer tok = Tokenizer::from_file(path);
  const double load_seconds = seconds_since(start);

  size_t tokens = 0;
  start = std::chrono::steady_clock::now();
  for (const auto& text : texts) tokens += tok.encode(text).size();
  const double cold_seconds = seconds_since(start);

  size_t warm_tokens = 0;
  start = std::chrono::steady_clock::now();
  for (int r = 0; r < repeats; ++r) {
    for (const auto& text : texts) warm_tokens += tok.encode(text).size();
  }
  const double warm_seconds = seconds_since(start);
  std::cout << Json{{"texts", texts.size()},
                    {"tokens", tokens},
                    {"load_seconds", load_seconds},
                    {"cold_seconds", cold_seconds},
                    {"cold_tokens_per_second", tokens / cold_seconds},
                    {"warm_passes", repeats},
                    {"warm_tokens_per_second", repeats > 0 ? warm_tokens / warm_seconds : 0.0}}
                   .dump()
            << '\n';
}

int run(int argc, char** argv) {
  po::options_description options("Options");
  options.add_options()
      ("tokenizer", po::value<std::string>()->required(), "a tokenizer.json, or a model directory with one")
      ("decode", po::bool_switch(), "read JSON arrays of ids, write JSON strings")
      ("skip_special_tokens", po::bool_switch(), "with --decode: leave special tokens out")
      ("bench", po::value<int>(),
       "benchmark: read all lines, then time encoding them once (cold) and N more times (warm); "
       "prints one JSON line of figures");
  const auto parsed = parse_command_line(
      argc, argv, "softcot tokenize --tokenizer PATH [--decode [--skip_special_tokens]] < lines", options);
  if (!parsed) return 0;
  const auto& vm = parsed->vm;
  const std::string path = tokenizer_file(vm["tokenizer"].as<std::string>());
  std::ios::sync_with_stdio(false);
  if (vm.count("bench")) {
    bench(path, std::max(0, vm["bench"].as<int>()));
    return 0;
  }
  const Tokenizer tok = Tokenizer::from_file(path);
  if (vm["decode"].as<bool>()) {
    decode_lines(tok, vm["skip_special_tokens"].as<bool>());
  } else {
    encode_lines(tok);
  }
  return 0;
}

const RegisterCommand kRegister{{"tokenize", "text <-> token ids with a tokenizer.json, one JSON value per line", &run}};

}  // namespace
}  // namespace softcot::cli
