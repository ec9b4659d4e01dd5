// A libFuzzer-compatible driver for builds without libFuzzer (gcc, the
// default build that `make test` runs): feeds LLVMFuzzerTestOneInput every
// seed file of the given directories, then a bounded number of deterministic
// mutations of them (bit flips, byte edits, insertions of interesting
// tokens, truncations, splices of two seeds). It is a regression and smoke
// run, not a search: `make fuzz` runs the same targets under libFuzzer with
// coverage guidance, ASan and UBSan.
//
//   <target>_replay [--mutations=N] [--seed=S] dir_or_file...
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The input being run, for the crash handler.
const std::string* g_current = nullptr;

// On a finding (abort, crash), the input goes to ./replay-crash (the file
// libFuzzer's binary takes to reproduce it) and, escaped, to stderr.
void OnCrash(int sig) {
  if (g_current != nullptr) {
    if (FILE* f = std::fopen("replay-crash", "wb")) {
      std::fwrite(g_current->data(), 1, g_current->size(), f);
      std::fclose(f);
    }
    std::fprintf(stderr, "finding (signal %d) on input of %zu bytes, saved to ./replay-crash: \"",
                 sig, g_current->size());
    for (unsigned char c : *g_current) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        std::fputc(c, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", c);
      }
    }
    std::fprintf(stderr, "\"\n");
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void Run(const std::string& input) {
  g_current = &input;
  // A copy in a buffer of exactly its size, so ASan sees reads past the end.
  std::vector<uint8_t> buf(input.begin(), input.end());
  LLVMFuzzerTestOneInput(buf.empty() ? nullptr : buf.data(), buf.size());
  g_current = nullptr;
}

// Tokens that often matter to the parsers under test.
const char* const kTokens[] = {"{",     "}",      "\"",       "\\",      "=",
                               ",",     "(",      ")",        "[",       "]",
                               ":",     "@",      "\n",       " ",       "#",
                               "1e308", "-",      "NaN",      "+Inf",    "9223372036854775807",
                               "0x",    "offset", "by",       "without", "\xff",
                               "\x80",  "[1ms]",  "[3d:1ms]", "e+",      "."};

std::string Mutate(const std::vector<std::string>& seeds, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % (n == 0 ? 1 : n)); };
  std::string s = seeds[pick(seeds.size())];
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 2: {
        const char* tok = kTokens[pick(std::size(kTokens))];
        s.insert(pick(s.size() + 1), tok);
        break;
      }
      case 3:
        if (!s.empty()) s.erase(pick(s.size()), 1 + pick(8));
        break;
      case 4:
        s.resize(pick(s.size() + 1));
        break;
      default: {
        const std::string& other = seeds[pick(seeds.size())];
        const size_t at = pick(other.size() + 1);
        s.insert(pick(s.size() + 1), other.substr(at, pick(64)));
      }
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 2000;
  uint64_t seed = 1;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--mutations=", 12) == 0) {
      mutations = std::strtol(argv[i] + 12, nullptr, 10);
    } else if (std::strncmp(argv[i], "--seed=", 7) == 0) {
      seed = std::strtoull(argv[i] + 7, nullptr, 10);
    } else if (std::filesystem::is_directory(argv[i])) {
      std::vector<std::filesystem::path> files;
      for (const auto& de : std::filesystem::directory_iterator(argv[i]))
        files.push_back(de.path());
      std::sort(files.begin(), files.end());  // the same order on every machine
      for (const auto& f : files) seeds.push_back(ReadFile(f));
    } else {
      seeds.push_back(ReadFile(argv[i]));
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "no seeds given\n");
    return 2;
  }
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, OnCrash);
  for (const std::string& s : seeds) Run(s);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < mutations; ++i) {
    const std::string input = Mutate(seeds, rng);
    Run(input);
  }
  std::printf("%zu seeds and %ld mutations ran without a finding\n", seeds.size(), mutations);
  return 0;
}
