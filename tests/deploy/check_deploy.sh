#!/usr/bin/env bash
# Static checks of the deployment files (no Docker engine runs here, so no
# image is built or started):
#   1. every compose file passes `docker-compose config` (all profiles), the
#      alias file docker-compose.server.yml resolves to the same config as
#      docker-compose.yml, and local paths they mount or build from exist;
#   2. every package each Dockerfile apt-get installs exists in Debian
#      bookworm (apt-cache madison shows a deb.debian.org bookworm source);
#      the builder stages install every build package of scripts/setup.sh;
#      the runtime stages install the package of every shared library the
#      built binaries need (readelf NEEDED -> dpkg -S), when a build dir is given;
#      COPY sources exist;
#   3. systemd units pass `systemd-analyze verify` without warnings, launchd
#      plists parse, the example server config keeps its __EXPORTER__ placeholder.
# Usage: check_deploy.sh <source dir> [<build dir>]
# Exit 77 (ctest: skipped) when docker-compose or the apt lists are missing.
set -uo pipefail
SRC=$(cd "${1:?usage: check_deploy.sh <source dir> [<build dir>]}" && pwd)
BUILD=${2:-}
cd "$SRC"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }

if ! command -v docker-compose > /dev/null; then
  echo "SKIP: docker-compose not installed (scripts/setup.sh installs it)"; exit 77
fi
# True if Debian bookworm (main or security) has the package. (Output captured
# first: with pipefail, grep -q closing the pipe early would fail the pipeline.)
in_bookworm() {
  local out
  out=$(apt-cache madison "$1" 2> /dev/null)
  grep -qE 'debian.org/debian(-security)? bookworm' <<< "$out"
}
if ! in_bookworm libc6; then
  echo "SKIP: no Debian bookworm apt lists (run apt-get update)"; exit 77
fi

# --- 1. compose files ---
export COMPOSE_PROJECT_NAME=check-deploy
declare -A compose_config=()
for f in docker-compose.yml docker-compose.server.yml docker-compose.client.yml; do
  [[ -f $f ]] || { fail "$f missing"; continue; }
  # Default services only, then with every profile (grafana, forwarder) enabled.
  if out=$(docker-compose -f "$f" config -q 2>&1); then
    ok "docker-compose -f $f config -q"
  else
    fail "docker-compose -f $f config -q: $out"
  fi
  if config=$(docker-compose -f "$f" --profile grafana --profile forwarder config 2>&1); then
    ok "docker-compose -f $f --profile grafana --profile forwarder config"
  else
    fail "docker-compose -f $f (all profiles) config: $config"
    continue
  fi
  compose_config[$f]=$config
  # Build contexts, Dockerfiles and bind-mounted sources inside the repo exist.
  while read -r df; do
    [[ -f $df ]] && ok "$f: dockerfile $df exists" || fail "$f: dockerfile $df missing"
  done < <(awk '/^ +dockerfile:/ {print $2}' <<< "$config" | sort -u)
  while read -r src; do
    [[ -e $src ]] && ok "$f: mount source ${src#"$SRC"/} exists" || fail "$f: mount source $src missing"
  done < <(grep -oE "^ *- $SRC/[^:]+" <<< "$config" | sed -E 's/^ *- //' | sort -u)
done
if [[ -n ${compose_config[docker-compose.yml]:-} &&
      ${compose_config[docker-compose.yml]} == "${compose_config[docker-compose.server.yml]:-}" ]]; then
  ok "docker-compose.server.yml is the same as docker-compose.yml"
else
  fail "docker-compose.server.yml differs from docker-compose.yml"
fi
# The scale-out example (two servers remote-writing into VictoriaMetrics).
if out=$(docker-compose -f deploy/scale-out/docker-compose.yml config -q 2>&1); then
  ok "docker-compose -f deploy/scale-out/docker-compose.yml config -q"
else
  fail "deploy/scale-out/docker-compose.yml: $out"
fi
grep -q '"${MONITOR_PORT:-5000}:5000"' docker-compose.yml && ok "MONITOR_PORT mapping" ||
  fail "docker-compose.yml: no \${MONITOR_PORT:-5000}:5000 port mapping"

# --- 2. Dockerfiles ---
# Packages of the apt-get install commands in one stage's text (continuations joined).
apt_packages() {
  sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' | grep -oE 'apt-get install[^&;|]*' |
    sed -E 's/apt-get install//' | tr ' ' '\n' | grep -vE '^(-|$)' | sort -u
}
# Splits a Dockerfile into stages: prints "<stage index> <line>".
stage_of() { awk '/^FROM /{n++} {print n" "$0}' "$1"; }
# Build packages from scripts/setup.sh (the first PACKAGES=( ... ) block: what
# building the programs needs; tests, benchmarks and peers are its --test
# group), minus the script tools (python3, binutils) an image build does not
# need.
setup_build_pkgs=$(sed -n '/^PACKAGES=(/,/^)/p' scripts/setup.sh | sed '1d;$d' | tr ' ' '\n' |
  grep -vE '^(|python3|binutils)$' | sort -u)
# All packages of all Dockerfiles, looked up with one apt-cache call (each call
# costs seconds): checked[pkg]=yes when a bookworm source has it.
# load_lib_packages, then lib_package SONAME: the Debian package shipping the
# library (one dpkg -S call for all libraries of all built binaries).
declare -A lib_pkg=()
load_lib_packages() {
  local paths=() bin lib path real line
  for bin in $(grep -ohE '^COPY --from=builder /build/[^ ]+' deploy/docker/Dockerfile.* | sed 's#.*/build/##' | sort -u); do
    [[ -x $BUILD/$bin ]] || continue
    for lib in $(readelf -d "$BUILD/$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
      path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
      [[ -n $path ]] || continue
      real=$(readlink -f "$path")
      # usrmerge: dpkg may know the file under /lib or /usr/lib.
      paths+=("$path" "$real" "${real#/usr}" "/usr$real")
      lib_pkg["real:$lib"]=$(basename "$real")
    done
  done
  while IFS= read -r line; do
    [[ $line == *": /"* ]] || continue
    lib_pkg[$(basename "${line##*: }")]=${line%%:*}
  done < <(dpkg -S "${paths[@]}" 2> /dev/null)
}
lib_package() {
  local real=${lib_pkg["real:$1"]:-}
  echo "${lib_pkg[$1]:-${lib_pkg[$real]:-}}"
}

[[ -n $BUILD ]] && load_lib_packages

declare -A checked=()
all_pkgs=$(for df in deploy/docker/Dockerfile.*; do apt_packages < "$df"; done | sort -u)
madison=$(apt-cache madison $all_pkgs 2> /dev/null)
for p in $all_pkgs; do
  if awk -v p="$p" '$1 == p' <<< "$madison" | grep -qE 'debian.org/debian(-security)? bookworm'; then
    checked[$p]=yes
  else
    checked[$p]=no
  fi
done
for df in deploy/docker/Dockerfile.*; do
  nstages=$(grep -c '^FROM ' "$df")
  for ((s = 1; s <= nstages; s++)); do
    stage_text=$(stage_of "$df" | awk -v s="$s" '$1 == s {sub(/^[0-9]+ /, ""); print}')
    from=$(head -1 <<< "$stage_text")
    pkgs=$(apt_packages <<< "$stage_text")
    for p in $pkgs; do
      [[ ${checked[$p]:-no} == yes ]] || fail "$df ($from): package $p not in Debian bookworm"
    done
    ok "$df stage $s ($from): $(wc -w <<< "$pkgs") apt packages exist in bookworm"
    if grep -q ' AS builder' <<< "$from"; then
      for p in $setup_build_pkgs; do
        grep -qx "$p" <<< "$pkgs" || fail "$df builder: misses setup.sh build package $p"
      done
      ok "$df builder installs the build packages of scripts/setup.sh"
    fi
    if [[ $s -eq $nstages ]]; then
      runtime_pkgs=$pkgs
      grep -qE '^USER ' <<< "$stage_text" && ok "$df: runtime runs as non-root USER" || fail "$df: no USER"
      grep -qE '^HEALTHCHECK ' <<< "$stage_text" && ok "$df: HEALTHCHECK" || fail "$df: no HEALTHCHECK"
      grep -qE '^EXPOSE ' <<< "$stage_text" && ok "$df: EXPOSE" || fail "$df: no EXPOSE"
      grep -q -- '-dev' <<< "$pkgs" && fail "$df: runtime stage installs -dev packages"
    fi
  done
  # Every stage on Debian bookworm: debian:${DEBIAN_RELEASE}[-slim] with the
  # ARG defaulting to bookworm, or an image tagged *-bookworm*.
  bad_from=$(grep -E '^FROM ' "$df" | grep -vE '^FROM (debian:\$\{DEBIAN_RELEASE\}(-slim)?|[^ ]+-bookworm[^ ]*)( |$)')
  if grep -q '^ARG DEBIAN_RELEASE=bookworm$' "$df" && [[ -z $bad_from ]]; then
    ok "$df: every stage is Debian bookworm"
  else
    fail "$df: not Debian bookworm: ${bad_from:-ARG DEBIAN_RELEASE is not bookworm}"
  fi
  # COPY sources (not --from) exist in the build context.
  while read -r src; do
    [[ -e $src ]] && ok "$df: COPY $src exists" || fail "$df: COPY source $src missing"
  done < <(grep -E '^COPY ' "$df" | grep -v -- '--from' | awk '{for (i = 2; i < NF; i++) print $i}')
  # Shared libraries of the binaries this Dockerfile ships -> Debian packages.
  if [[ -n $BUILD ]]; then
    for bin in $(grep -oE '^COPY --from=builder /build/[^ ]+' "$df" | sed 's#.*/build/##'); do
      [[ -x $BUILD/$bin ]] || { echo "note: $BUILD/$bin not built; library check skipped"; continue; }
      for lib in $(readelf -d "$BUILD/$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
        pkg=$(lib_package "$lib")
        case $pkg in
          libc6 | libstdc++6 | libgcc-s1) continue ;;  # in debian:bookworm-slim
          "") fail "$df: $bin needs $lib, which no installed package provides"; continue ;;
        esac
        grep -qx "$pkg" <<< "$runtime_pkgs" && ok "$df: $bin needs $lib ($pkg), installed" ||
          fail "$df: $bin needs $lib from $pkg, not installed by the runtime stage"
      done
    done
  fi
done
[[ -f .dockerignore ]] && grep -qx 'build-\*' .dockerignore && ok ".dockerignore excludes build dirs" ||
  fail ".dockerignore missing or does not exclude build-*"

# --- 3. service templates ---
if command -v systemd-analyze > /dev/null; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for unit in deploy/systemd/*.service; do
    # verify wants ExecStart binaries to exist: point them at /bin/true.
    sed -E 's#^(Exec(Start|Reload)=)[^ ]+#\1/bin/true#' "$unit" > "$tmp/$(basename "$unit")"
    out=$(systemd-analyze verify "$tmp/$(basename "$unit")" 2>&1 | grep -F "$(basename "$unit")")
    [[ -z $out ]] && ok "systemd-analyze verify $unit" || fail "systemd-analyze verify $unit: $out"
  done
else
  echo "note: systemd-analyze not installed; units not verified"
fi
# Sandboxing (issue 15): systemd's own exposure score, at most 2.5 per unit.
if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
  for unit in deploy/systemd/*.service; do
    score=$(systemd-analyze security --offline=true "$unit" 2>&1 |
      sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
    if [[ -n $score ]] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then
      ok "$unit: systemd-analyze security exposure $score"
    else
      fail "$unit: systemd-analyze security exposure '${score}' above 2.5"
    fi
  done
else
  echo "note: systemd-analyze security --offline unavailable; exposure not scored"
fi
for unit in deploy/systemd/*.service; do
  grep -q '^EnvironmentFile=-/etc/default/' "$unit" && ok "$unit: EnvironmentFile" ||
    fail "$unit: no EnvironmentFile=-/etc/default/..."
done
for plist in deploy/launchd/*.plist; do
  if out=$(python3 -c 'import plistlib, sys
d = plistlib.load(open(sys.argv[1], "rb"))
assert d["Label"] + ".plist" == sys.argv[1].split("/")[-1], "Label does not match the file name"
assert d["ProgramArguments"][0].startswith("/usr/local/bin/"), "ProgramArguments"
assert isinstance(d["EnvironmentVariables"], dict)' "$plist" 2>&1); then
    ok "$plist parses"
  else
    fail "$plist: $out"
  fi
done
grep -q "__EXPORTER__" deploy/monitoring.example.yml && ok "monitoring.example.yml keeps __EXPORTER__" ||
  fail "deploy/monitoring.example.yml lost the __EXPORTER__ placeholder (scripts/run-stack.sh needs it)"

echo
if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"; exit 1
fi
echo "all deployment checks passed (static only: no image was built or run)"
