#!/usr/bin/env python3
"""Lints deploy/launchd/*.plist as launchd would read them (plutil -lint's
part that Linux can do): each parses as an XML property list; Label is the
file name; the program is an installed binary under /usr/local/bin (the
install rewrites /usr/local to the prefix); every environment variable is
one the binary reads (its ->envname(...) in the sources); log paths and
data directories are under /usr/local/var; KeepAlive restarts on failure.

Usage: check_launchd.py <source dir>. Exit 0 clean, 1 with the findings.
"""
import pathlib
import plistlib
import re
import sys

root = pathlib.Path(sys.argv[1])
mains = {
    "system-stats-service": root / "exporter/main.cc",
    "system-stats-forwarder": root / "exporter/forwarder/main.cc",
    "monitoring-server": root / "server/main.cc",
}
errors = []
plists = sorted((root / "deploy/launchd").glob("*.plist"))
if not plists:
    errors.append("no plists under deploy/launchd")
for path in plists:
    where = path.name
    try:
        with open(path, "rb") as f:
            p = plistlib.load(f, fmt=plistlib.FMT_XML)
    except Exception as e:  # noqa: BLE001 - any parse failure is the finding
        errors.append(f"{where}: not a valid XML plist: {e}")
        continue
    if p.get("Label") != path.stem:
        errors.append(f"{where}: Label {p.get('Label')!r} is not the file name")
    args = p.get("ProgramArguments") or []
    if not args or not all(isinstance(a, str) for a in args):
        errors.append(f"{where}: ProgramArguments missing")
        continue
    binary = pathlib.PurePosixPath(args[0])
    if str(binary.parent) != "/usr/local/bin" or binary.name not in mains:
        errors.append(f"{where}: program {args[0]} is not one of ours under /usr/local/bin")
        continue
    main = mains[binary.name]
    text = main.read_text() if main.exists() else ""
    known = set(re.findall(r'envname\("([A-Z0-9_]+)"\)', text))
    # The forwarder builds its TLS variables from prefixes (env + "_CA_FILE").
    prefixes = set(re.findall(r'std::string\("([A-Z0-9_]+)"\)', text))
    for name, value in (p.get("EnvironmentVariables") or {}).items():
        if not isinstance(value, str):
            errors.append(f"{where}: {name} is not a string")
        if main.exists() and name not in known and not any(
                name.startswith(x + "_") for x in prefixes):
            errors.append(f"{where}: {binary.name} does not read {name}")
        if name.endswith("_DIR") and not value.startswith("/usr/local/var/"):
            errors.append(f"{where}: {name}={value} is not under /usr/local/var")
    for key in ("StandardOutPath", "StandardErrorPath"):
        if not str(p.get(key, "")).startswith("/usr/local/var/log/monitoring-stack/"):
            errors.append(f"{where}: {key} is not under /usr/local/var/log/monitoring-stack")
    if p.get("RunAtLoad") is not True:
        errors.append(f"{where}: RunAtLoad is not true")
    keep = p.get("KeepAlive")
    if not (keep is True or (isinstance(keep, dict) and keep.get("SuccessfulExit") is False)):
        errors.append(f"{where}: KeepAlive does not restart the job when it fails")
for e in errors:
    print(e)
print(f"launchd check: {len(plists)} plists, {'clean' if not errors else 'FAILED'}")
sys.exit(1 if errors else 0)
