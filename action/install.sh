#!/usr/bin/env bash
# action.yml, step 1: make `rdp` available to this action's next step and to the job's later steps
# (through GITHUB_PATH). RDP_PACKAGE (the rdp-package input) names an npm package spec to install;
# empty builds the rdp of the action's own checkout (its ref pins the version).
set -euo pipefail
: "${GITHUB_ACTION_PATH:?}" "${GITHUB_PATH:?}" "${RUNNER_TEMP:?}"

# Node: rdp's engines range, said up front rather than as a syntax error later.
if ! node -e '
  const want = /(\d+)\.(\d+)\.(\d+)/.exec(require(process.argv[1]).engines.node).slice(1).map(Number);
  const have = process.versions.node.split(".").map(Number);
  const cmp = have[0] - want[0] || have[1] - want[1] || have[2] - want[2];
  if (cmp < 0) { console.log(`::error title=rdp::rdp needs Node.js ${want.join(".")} or newer; this runner has ${process.version}. Add actions/setup-node (node-version: lts/*) before this step.`); process.exit(1); }
' "$GITHUB_ACTION_PATH/package.json"; then
  exit 1
fi

home="$RUNNER_TEMP/rdp-action"
mkdir -p "$home/bin"
if [ -n "${RDP_PACKAGE:-}" ]; then
  echo "Installing $RDP_PACKAGE"
  npm install -g --prefix "$home" --no-audit --no-fund --loglevel=error "$RDP_PACKAGE"
else
  cd "$GITHUB_ACTION_PATH"
  if [ ! -f dist/cli.js ] || [ ! -d node_modules ]; then
    echo "Building rdp from $GITHUB_ACTION_PATH"
    npm ci --no-audit --no-fund --loglevel=error # its prepare script builds dist/
  fi
  printf '#!/bin/sh\nexec node "%s/bin/rdp.js" "$@"\n' "$GITHUB_ACTION_PATH" > "$home/bin/rdp"
  chmod +x "$home/bin/rdp"
fi
[ -x "$home/bin/rdp" ] || { echo "::error title=rdp::installing rdp made no rdp command"; exit 1; }
echo "rdp $("$home/bin/rdp" --version) at $home/bin/rdp"
echo "$home/bin" >> "$GITHUB_PATH"
