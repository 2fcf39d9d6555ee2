#!/usr/bin/env bash
# npm test: build, typecheck, then run the suite. When the tools exist, the suite runs inside a private
# D-Bus session with a throwaway gnome-keyring (never the developer's own keyring); otherwise the tests
# that need a Secret Service skip, unless RDP_TEST_STRICT=1 (CI), where a skip is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
npx tsc -p tsconfig.json
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null && command -v secret-tool >/dev/null; then
  exec scripts/with-secret-service.sh npx vitest run "$@"
fi
echo "test: no dbus-run-session/gnome-keyring/secret-tool here; keychain tests will skip (apt-get install dbus-x11 gnome-keyring libsecret-tools)" >&2
exec npx vitest run "$@"
