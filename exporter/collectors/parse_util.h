// Small text helpers for parsing /proc and /sys files. Internal to collectors.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exporter::parse {

// Splits on runs of spaces/tabs; no empty fields.
std::vector<std::string_view> Fields(std::string_view line);
// Splits text into lines (without '\n'); a trailing newline adds no empty line.
std::vector<std::string_view> Lines(std::string_view text);
std::string_view Trim(std::string_view s);

std::optional<double> ToDouble(std::string_view s);
std::optional<uint64_t> ToUint(std::string_view s);
std::optional<int64_t> ToInt(std::string_view s);

// Undoes the kernel's octal escaping of whitespace and backslashes in
// /proc/*/mounts fields ("\040" -> ' ', "\011" -> tab, "\134" -> '\\').
// A backslash not followed by three octal digits is kept as is.
std::string UnescapeOctal(std::string_view s);

}  // namespace exporter::parse
