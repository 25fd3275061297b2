#!/usr/bin/env bash
# Checks of every installer recipe that can run here: the .deb with lintian (no errors) and
# desktop-file-validate; the Windows NSIS script compiled against a dummy payload; the macOS
# entitlements and the GitHub Actions workflow parsed; every shell script through shellcheck.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=${1:?usage: packaging/check_installers.sh build/smallwise_VERSION_ARCH.deb}
PY=${PY:-.venv/bin/python}
# Tags lintian reports are overridden with their reasons in packaging/lintian-overrides; an
# error fails the build, warnings are printed.
lintian --fail-on error "$DEB"
desktop-file-validate packaging/smallwise.desktop
bash packaging/windows/check_nsis.sh
"$PY" - <<'PYTHON'
import plistlib, yaml
ents = plistlib.load(open("packaging/macos/entitlements.plist", "rb"))
assert ents == {"com.apple.security.cs.allow-unsigned-executable-memory": True,
                "com.apple.security.cs.allow-jit": True}, ents
flow = yaml.safe_load(open(".github/workflows/package.yml"))
names = {job["name"] if "name" in job else key for key, job in flow["jobs"].items()}
print(f"entitlements parse; workflow jobs: {', '.join(sorted(names))}")
PYTHON
shellcheck scripts/*.sh packaging/*.sh packaging/*/*.sh .ci/run
echo "installer checks passed"
