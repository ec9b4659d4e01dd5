#!/usr/bin/env bash
# Compile-checks, on Linux, every source the exporter and forwarder build
# from on macOS: clang -fsyntax-only for arm64 and x86_64 darwin targets,
# with Apple's headers taken from tests/darwin_sdk/apple (declarations only,
# see README.md) and the C and C++ standard headers from the host (glibc,
# libstdc++). Catches type and syntax errors in the darwin code paths before
# a Mac sees them; it says nothing about behaviour.
#
# Usage: check_darwin_sources.sh <source dir> [files...]
#   Without files: the darwin collectors and conversions, the exporter,
#   the forwarder, common/ and model/ (what a Mac compiles of ours).
# Exit: 0 all clean, 1 an error, 77 (skipped) when clang++-14 is missing.
set -u
ROOT=${1:?usage: check_darwin_sources.sh <source dir> [files...]}
shift
CLANG=${MS_DARWIN_CHECK_CLANG:-clang++-14}
if ! command -v "$CLANG" > /dev/null 2>&1; then
  echo "SKIP: $CLANG not found (scripts/setup.sh --fuzz installs it)"
  exit 77
fi
SDK="$ROOT/tests/darwin_sdk"

# The host's standard headers, found rather than assumed.
GXX_VERSION=$(ls /usr/include/c++ 2> /dev/null | sort -V | tail -1)
MULTIARCH=$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)
RESOURCE=$("$CLANG" -print-resource-dir)
if [ -z "$GXX_VERSION" ] || [ ! -d "/usr/include/$MULTIARCH/c++/$GXX_VERSION" ]; then
  echo "SKIP: no libstdc++ headers under /usr/include/c++"
  exit 77
fi

# Search order: libstdc++ (its <cstdlib> and friends #include_next the C
# headers), then Apple's headers (which shadow glibc's of the same name, or
# #include_next them where macOS shares the POSIX part), then the compat
# shims that let glibc parse for a darwin target, then clang's own headers
# and glibc. -U__nonnull: clang predefines it as a nullability keyword on
# darwin, glibc uses the name for its attribute macro. -D_GNU_SOURCE: what
# g++ and clang predefine for C++ on Linux, which libstdc++ expects.
FLAGS=(-std=c++20 -fsyntax-only -Wall -Wextra -Werror -Wthread-safety
  -nostdinc -nostdinc++
  -isystem "/usr/include/c++/$GXX_VERSION"
  -isystem "/usr/include/$MULTIARCH/c++/$GXX_VERSION"
  -isystem "$SDK/apple"
  -isystem "$SDK/glibc_compat"
  -isystem "$RESOURCE/include"
  -isystem "/usr/include/$MULTIARCH"
  -isystem /usr/include
  -U__nonnull -D_GNU_SOURCE
  -I "$ROOT"
  -DSPDLOG_FMT_EXTERNAL -DMS_VERSION=\"check\"
  -DMS_PLUGIN_INSTALL_DIR=\"/usr/local/lib/monitoring-stack\")

if [ $# -eq 0 ]; then
  set -- "$ROOT"/exporter/collectors/darwin/*.cc "$ROOT"/exporter/collectors/darwin_convert/*.cc \
    "$ROOT"/exporter/collectors/parse_util.cc "$ROOT"/exporter/collectors/textfile.cc \
    "$ROOT"/exporter/*.cc "$ROOT"/exporter/forwarder/*.cc "$ROOT"/common/*.cc "$ROOT"/model/*.cc
fi

failed=0
checked=0
for target in arm64-apple-macos12 x86_64-apple-macos12; do
  for f in "$@"; do
    if ! out=$("$CLANG" -target "$target" "${FLAGS[@]}" "$f" 2>&1); then
      echo "FAIL [$target] ${f#"$ROOT"/}"
      echo "$out" | head -40
      failed=1
    fi
    checked=$((checked + 1))
  done
done
echo "darwin syntax check: $checked compilations ($# files x 2 targets), $([ $failed = 0 ] && echo clean || echo FAILED)"
exit $failed
