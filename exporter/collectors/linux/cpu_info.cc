// cpu info: node_cpu_info{package,core,cpu,vendor,family,model,model_name,
// microcode,stepping,cachesize}, node_cpu_flag_info{flag} and
// node_cpu_bug_info{bug} from <procfs>/cpuinfo, as the --collector.cpu.info
// part of node_exporter 1.5's cpu_linux.go over procfs's cpuinfo parsers (x86's,
// and arm's on arm builds).
//
// Label values are the text after "key: " exactly as the kernel wrote it.
// Flags and bugs come from the first processor only, and only those matching
// the include regexp are exported: without --collector.cpu.info.flags-include
// (bugs-include) there are no flag (bug) series at all.
#include "exporter/collectors/linux/cpu_info.h"

#include <re2/re2.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/collectors/parse_util.h"

namespace exporter {

REGISTER_COLLECTOR_BOOL_FLAG(cpu_info, "collector.cpu.info", false, "Enables metric cpu_info");
REGISTER_COLLECTOR_FLAG(cpu_info_flags_include, "collector.cpu.info.flags-include", "",
                        "Filter the `flags` field in cpuInfo with a value that must be a regular "
                        "expression");
REGISTER_COLLECTOR_FLAG(cpu_info_bugs_include, "collector.cpu.info.bugs-include", "",
                        "Filter the `bugs` field in cpuInfo with a value that must be a regular "
                        "expression");

namespace {

struct CpuInfo {
  uint64_t processor = 0;
  std::string vendor, family, model, model_name, stepping, microcode, cache_size, physical_id,
      core_id;
  std::vector<std::string> flags, bugs;
};

// Go's strings.TrimSpace for ASCII input.
std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Go's strconv.ParseUint(s, 0, 32): the base follows from a 0x / 0o / 0b / 0
// prefix.
std::optional<uint64_t> ParseUint32Base0(std::string_view s) {
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > 0xFFFFFFFFULL) return std::nullopt;
  return v;
}

std::vector<std::string> SplitFields(std::string_view s) {
  std::vector<std::string> out;
  for (std::string_view f : parse::Fields(s)) out.emplace_back(f);
  return out;
}

// procfs's parser for x86 (and the default here for other architectures).
common::Status ParseCpuInfoX86(const std::string& text, const std::string& path,
                               std::vector<CpuInfo>* out) {
  auto lines = parse::Lines(text);
  size_t i = 0;
  while (i < lines.size() && TrimSpace(lines[i]).empty()) ++i;
  std::string_view first = i < lines.size() ? lines[i] : std::string_view();
  if (first.substr(0, 9) != "processor" || first.find(':') == std::string_view::npos) {
    return common::Status::Corruption("invalid cpuinfo file: \"" + std::string(first) + "\"");
  }
  std::vector<CpuInfo> cpus(1);
  {
    size_t sep = first.find(": ");
    auto v = sep == std::string_view::npos ? std::nullopt : ParseUint32Base0(first.substr(sep + 2));
    if (!v) return common::Status::Corruption("invalid processor line in " + path);
    cpus[0].processor = *v;
  }
  for (++i; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find(':') == std::string_view::npos) continue;
    size_t sep = line.find(": ");
    std::string_view key = TrimSpace(line.substr(0, sep));
    if (sep == std::string_view::npos) {
      // Without ": " procfs's key is the whole line, which names no field.
      continue;
    }
    std::string_view value = line.substr(sep + 2);
    auto bad = [&]() {
      return common::Status::Corruption("invalid " + std::string(key) + " value \"" +
                                        std::string(value) + "\" in " + path);
    };
    if (key == "processor") {
      auto v = ParseUint32Base0(value);
      if (!v) return bad();
      cpus.emplace_back().processor = *v;  // the start of the next CPU
      continue;
    }
    CpuInfo& c = cpus.back();
    if (key == "vendor" || key == "vendor_id") {
      c.vendor = value;
    } else if (key == "cpu family") {
      c.family = value;
    } else if (key == "model") {
      c.model = value;
    } else if (key == "model name") {
      c.model_name = value;
    } else if (key == "stepping") {
      c.stepping = value;
    } else if (key == "microcode") {
      c.microcode = value;
    } else if (key == "cache size") {
      c.cache_size = value;
    } else if (key == "physical id") {
      c.physical_id = value;
    } else if (key == "core id") {
      c.core_id = value;
    } else if (key == "flags") {
      c.flags = SplitFields(value);
    } else if (key == "bugs") {
      c.bugs = SplitFields(value);
    } else if (key == "cpu MHz" || key == "bogomips") {
      if (!parse::ToDouble(value)) return bad();
    } else if (key == "siblings" || key == "cpu cores" || key == "cpuid level" ||
               key == "clflush size" || key == "cache_alignment") {
      if (!ParseUint32Base0(value)) return bad();
    }
  }
  *out = std::move(cpus);
  return common::Status::OK();
}

// procfs's parser for arm and arm64: processors are numbered by "processor"
// lines (or, on old 32-bit kernels, one "Processor: <model>" header and a
// BogoMIPS line per CPU); every CPU gets the flags of the last "Features" line
// and no vendor, family, package or core.
common::Status ParseCpuInfoArm(const std::string& text, const std::string& path,
                               std::vector<CpuInfo>* out) {
  auto lines = parse::Lines(text);
  size_t i = 0;
  while (i < lines.size() && TrimSpace(lines[i]).empty()) ++i;
  std::string_view first = i < lines.size() ? lines[i] : std::string_view();
  if (first.empty() || (first[0] != 'P' && first[0] != 'p') || first.substr(1, 8) != "rocessor" ||
      first.find(':') == std::string_view::npos) {
    return common::Status::Corruption("invalid cpuinfo file: \"" + std::string(first) + "\"");
  }
  auto bad = [&](std::string_view key, std::string_view value) {
    return common::Status::Corruption("invalid " + std::string(key) + " value \"" +
                                      std::string(value) + "\" in " + path);
  };
  std::vector<CpuInfo> cpus;
  CpuInfo common;
  {
    size_t sep = first.find(": ");
    std::string_view value = sep == std::string_view::npos ? "" : first.substr(sep + 2);
    if (TrimSpace(first.substr(0, sep)) == "Processor") {
      common.model_name = value;
    } else {
      auto v = sep == std::string_view::npos ? std::nullopt : ParseUint32Base0(value);
      if (!v) return bad("processor", value);
      cpus.emplace_back().processor = *v;
    }
  }
  std::optional<std::string_view> features;
  for (++i; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find(':') == std::string_view::npos) continue;
    size_t sep = line.find(": ");
    if (sep == std::string_view::npos) continue;  // procfs's key is the whole line then
    std::string_view key = TrimSpace(line.substr(0, sep));
    std::string_view value = line.substr(sep + 2);
    if (key == "processor") {
      auto v = ParseUint32Base0(value);
      if (!v) return bad(key, value);
      CpuInfo& c = cpus.emplace_back(common);
      c.processor = *v;
    } else if (key == "BogoMIPS") {
      if (cpus.empty()) cpus.emplace_back(common).processor = 0;  // the only CPU
      if (!parse::ToDouble(value)) return bad(key, value);
    } else if (key == "Features") {
      features = value;
    } else if (key == "model name") {
      // node_exporter (procfs) crashes on a model name before any processor.
      if (cpus.empty()) return bad(key, value);
      cpus.back().model_name = value;
    }
  }
  if (!cpus.empty()) {
    // node_exporter (procfs) crashes on CPUs without a Features line.
    if (!features) return common::Status::Corruption("no Features line in " + path);
    for (CpuInfo& c : cpus) c.flags = SplitFields(*features);
  }
  *out = std::move(cpus);
  return common::Status::OK();
}

common::Status ParseCpuInfo(CpuInfoFormat format, const std::string& path,
                            std::vector<CpuInfo>* out) {
  std::string text;
  if (!common::ReadFileToString(path, &text)) return common::Status::IOError("cannot read " + path);
  return format == CpuInfoFormat::kArm ? ParseCpuInfoArm(text, path, out)
                                       : ParseCpuInfoX86(text, path, out);
}

}  // namespace

common::Status CollectCpuInfo(const CollectorConfig& config, MetricSink& sink) {
#if defined(__aarch64__) || defined(__arm__)
  return CollectCpuInfoAs(CpuInfoFormat::kArm, config, sink);
#else
  return CollectCpuInfoAs(CpuInfoFormat::kX86, config, sink);
#endif
}

namespace {
// Compiles one cpu info include flag into *re (left null when the flag is
// empty), with node_exporter's error for a pattern that does not compile.
common::Status CompileInfoInclude(const std::string& pattern, std::unique_ptr<RE2>* re) {
  if (pattern.empty()) return common::Status::OK();
  *re = std::make_unique<RE2>(pattern, RE2::Quiet);
  if ((*re)->ok()) return common::Status::OK();
  return common::Status::InvalidArgument(
      "fail to compile --collector.cpu.info.flags-include and "
      "--collector.cpu.info.bugs-include, the values of them must be regular expressions: " +
      (*re)->error());
}
}  // namespace

common::Status CheckCpuInfoFlags(const CollectorConfig& config) {
  for (const char* flag : {"collector.cpu.info.flags-include", "collector.cpu.info.bugs-include"}) {
    std::unique_ptr<RE2> re;
    if (auto s = CompileInfoInclude(config.Flag(flag), &re); !s.ok()) return s;
  }
  return common::Status::OK();
}

common::Status CollectCpuInfoAs(CpuInfoFormat format, const CollectorConfig& config,
                                MetricSink& sink) {
  const std::string flags_include = config.Flag("collector.cpu.info.flags-include");
  const std::string bugs_include = config.Flag("collector.cpu.info.bugs-include");
  // Setting either include flag turns cpu info on, as in node_exporter.
  if (!config.BoolFlag("collector.cpu.info") && flags_include.empty() && bugs_include.empty()) {
    return common::Status::OK();
  }
  std::unique_ptr<RE2> flags_re, bugs_re;
  for (auto [pattern, re] : {std::pair{&flags_include, &flags_re}, {&bugs_include, &bugs_re}}) {
    if (auto s = CompileInfoInclude(*pattern, re); !s.ok()) return s;
  }

  std::vector<CpuInfo> cpus;
  common::Status s = ParseCpuInfo(format, config.paths.Proc("cpuinfo"), &cpus);
  if (!s.ok()) return s;
  for (const CpuInfo& c : cpus) {
    sink.Gauge("node_cpu_info", "CPU information from /proc/cpuinfo.",
               {{"cachesize", c.cache_size},
                {"core", c.core_id},
                {"cpu", std::to_string(c.processor)},
                {"family", c.family},
                {"microcode", c.microcode},
                {"model", c.model},
                {"model_name", c.model_name},
                {"package", c.physical_id},
                {"stepping", c.stepping},
                {"vendor", c.vendor}},
               1);
  }
  if (cpus.empty()) return common::Status::OK();
  auto field_info = [&](const std::vector<std::string>& values, const RE2* re, const char* name,
                        const char* help, const char* label) {
    if (!re) return;
    for (const std::string& v : values) {
      if (RE2::PartialMatch(v, *re)) sink.Gauge(name, help, {{label, v}}, 1);
    }
  };
  field_info(cpus[0].flags, flags_re.get(), "node_cpu_flag_info",
             "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
             "flag");
  field_info(cpus[0].bugs, bugs_re.get(), "node_cpu_bug_info",
             "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
             "bug");
  return common::Status::OK();
}

}  // namespace exporter
