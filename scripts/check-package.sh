#!/usr/bin/env bash
# check-package.sh [--node VERSION]... [--keep DIR]
# Installs rdp as a user will: packs the package (`npm pack`, from the built dist/), checks that the
# tarball holds what the installed tool needs and nothing else, installs it with `npm install -g` into
# a fresh prefix, and runs scripts/smoke-installed.sh against that `rdp`: with the Node on PATH, or with
# each --node VERSION (the `node` package from the npm registry, `npx -p node@VERSION`), which is how
# CI (.ci/run) tests the oldest supported Node and the current LTS.
# --keep DIR: work in DIR (the tarball stays there as DIR/<name>-<version>.tgz, the install in DIR/prefix).
# Prints "package: FILE SIZE_BYTES FILE_COUNT" on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

nodes=()
keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --node) nodes+=("${2:?--node needs a version}"); shift 2 ;;
    --keep) keep=${2:?--keep needs a folder}; shift 2 ;;
    *) echo "usage: check-package.sh [--node VERSION]... [--keep DIR]" >&2; exit 2 ;;
  esac
done
fail() { echo "check-package: FAILED: $*" >&2; exit 1; }

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

# 1. Pack. dist/ must be built (npm test's global setup and .ci/run build it); --ignore-scripts keeps
# `prepare` from rebuilding dist/ while other tests may be running it.
[ -f dist/cli.js ] || fail "dist/ is not built: run npm run build"
npm pack --ignore-scripts --pack-destination "$work" --json --loglevel=error > "$work/pack.json"

# 2. What the tarball holds: the files the installed tool reads, and nothing else (no sources, tests,
# source maps or scripts).
summary=$(node -e '
  const [info] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^bin\/rdp\.js$/, /^bin\/package\.json$/, /^bin\/compile-cache\.cjs$/, /^bin\/v8-flags\.cjs$/, /^dist\/[\w.-]+\.js$/, /^dist\/help\.txt$/, /^dist\/package\.json$/, /^dist\/chunks\/[\w.-]+\.js$/, /^dist\/cache\/[\w.-]+\.v8$/, /^completions\/(rdp\.bash|rdp\.fish|_rdp)$/, /^schemas\/[a-z-]+\.schema\.json$/];
  const needed = ["bin/rdp.js", "bin/package.json", "bin/compile-cache.cjs", "bin/v8-flags.cjs", "dist/package.json", "dist/help.txt", "dist/cache/cli.js.v8", "dist/cli.js", "dist/keychain-child.js", "dist/emulator.js", "completions/rdp.bash", "schemas/upload.schema.json", "schemas/error.schema.json"];
  const paths = info.files.map((f) => f.path);
  const extra = paths.filter((p) => !allowed.some((re) => re.test(p)));
  const missing = needed.filter((p) => !paths.includes(p));
  if (extra.length || missing.length) {
    console.error(`check-package: FAILED: the tarball holds ${extra.length ? `files it does not need: ${extra.join(", ")}` : ""}${extra.length && missing.length ? "; and " : ""}${missing.length ? `lacks ${missing.join(", ")}` : ""}`);
    process.exit(1);
  }
  const bin = info.files.find((f) => f.path === "bin/rdp.js");
  if ((bin.mode & 0o111) === 0) { console.error("check-package: FAILED: bin/rdp.js is not executable in the tarball"); process.exit(1); }
  console.log(`${info.filename} ${info.size} ${info.entryCount}`);
' "$work/pack.json")
read -r tarball size count <<< "$summary"
echo "check-package: $tarball: $size bytes packed, $count files" >&2

# 3. Install it the way the README says, into a prefix of its own.
prefix="$work/prefix"
rm -rf "$prefix"
npm install -g --prefix "$prefix" --no-audit --no-fund --loglevel=error "$work/$tarball" >&2
installed="$prefix/lib/node_modules/$(node -p 'require("./package.json").name')"
[ -x "$prefix/bin/rdp" ] || fail "npm install -g made no rdp command in $prefix/bin"
for d in src scripts test; do [ ! -e "$installed/$d" ] || fail "the installed package has $d/"; done
# Nothing in the installed package points back into this checkout.
if grep -rlF --exclude-dir=node_modules "$root" "$installed"; then fail "files above refer to $root"; fi

# 4. The smoke, with the Node on PATH or with each --node VERSION.
export PATH="$prefix/bin:$PATH"
version=$(node -p 'require("./package.json").version')
if [ ${#nodes[@]} -eq 0 ]; then
  scripts/smoke-installed.sh "$version"
else
  for v in "${nodes[@]}"; do
    echo "check-package: Node $v (npx -p node@$v)" >&2
    RDP_SMOKE_NODE=$v npx --yes --loglevel=error -p "node@$v" -- "$root/scripts/smoke-installed.sh" "$version"
  done
fi
echo "package: $work/$tarball $size $count"
