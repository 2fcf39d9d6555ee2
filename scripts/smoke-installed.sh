#!/usr/bin/env bash
# smoke-installed.sh VERSION
# Drives the `rdp` found first on PATH (an installed package, not this checkout) the way a user does,
# from an empty temporary folder: --version, --help, a completion script, `rdp emulator`, a published
# Zenodo upload with a file of several read chunks, a NOMAD upload (zipped while sent), and
# a keychain login (the keychain child process) used by a later command. It uses only what the package
# installed; nothing in this checkout is read. scripts/check-package.sh runs it after `npm install -g`.
#
# RDP_SMOKE_NODE=20.18.1: also check that `node` on PATH is that version (the Node rdp runs on).
# The keychain part needs a Secret Service (scripts/with-secret-service.sh); without one it is skipped,
# unless RDP_TEST_STRICT=1, where that is a failure.
set -euo pipefail

want_version=${1:?usage: smoke-installed.sh VERSION}
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
say() { echo "smoke: $*" >&2; }

rdp_bin=$(command -v rdp) || fail "no rdp on PATH"
node_version=$(node --version)
if [ -n "${RDP_SMOKE_NODE:-}" ]; then
  case "$node_version" in
    "v$RDP_SMOKE_NODE" | "v$RDP_SMOKE_NODE".*) ;;
    *) fail "node on PATH is $node_version, not $RDP_SMOKE_NODE" ;;
  esac
fi
say "rdp at $rdp_bin, Node $node_version"

work=$(mktemp -d)
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
# A user's machine: own HOME and config, no token or URL left over from the caller.
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" NO_COLOR=1
mkdir -p "$HOME"
for name in $(compgen -e); do
  case "$name" in RDP_SECRET_SERVICE | RDP_TEST_STRICT | RDP_SMOKE_NODE) ;; RDP_*) unset "$name" ;; esac
done

# fields FILE EXPR...: the values of EXPRs over `d` (the parsed JSON file) on one line, separated by
# US (0x1f: not whitespace, so an empty value keeps its place), for
# `IFS=$'\x1f' read -r a b < <(fields FILE EXPR_A EXPR_B)`: one node process per file, not per field.
fields() {
  node -e '
    const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const text = (v) => (v === undefined || v === null ? "" : String(v)).replace(/[\x1f\n]/g, " ");
    console.log(process.argv.slice(2).map((e) => text(eval(e))).join("\x1f"));
  ' "$@" || fail "cannot read $1: $(head -c 500 "$1")"
}

# 1. The basics.
[ "$(rdp --version)" = "$want_version" ] || fail "rdp --version printed '$(rdp --version)', not $want_version"
rdp --help > help.txt
grep -q 'rdp upload' help.txt || fail "rdp --help does not list upload"
rdp upload --help > upload-help.txt
grep -q -- '--new-version' upload-help.txt || fail "rdp upload --help has no --new-version"
rdp completion bash > rdp.bash
grep -q 'complete ' rdp.bash || fail "rdp completion bash printed no completion script"
say "--version, --help, completion: ok"

# 2. The emulator of the installed package.
rdp emulator --json > emulator.json 2> emulator.err &
emulator_pid=$!
for _ in $(seq 300); do
  [ -s emulator.json ] && break
  kill -0 "$emulator_pid" 2>/dev/null || fail "rdp emulator ended: $(cat emulator.err)"
  sleep 0.1
done
[ -s emulator.json ] || fail "rdp emulator printed nothing in 30 s"
IFS=$'\x1f' read -r url urls zenodo_token nomad_token < <(fields emulator.json d.url \
  'Object.entries(d.env).filter(([k]) => k.endsWith("_URL")).map(([k, v]) => k + "=" + v).join(" ")' \
  d.services.zenodo.token d.services.nomad.token)
# shellcheck disable=SC2086,SC2163 # RDP_<ID>_URL=... words
export $urls
[ -n "${RDP_ZENODO_URL:-}" ] && [ -n "$zenodo_token" ] && [ -n "$nomad_token" ] || fail "rdp emulator --json lacks URLs or tokens: $(cat emulator.json)"
say "rdp emulator: $url"

# 3. Zenodo, as in CI: the token from the environment; published. 9 MiB: nine 1 MiB reads and a short one.
mkdir data
printf 'site,depth\nA,10\n' > data/samples.csv
echo 'Soil samples (smoke test)' > data/README.txt
head -c 9437184 /dev/urandom > data/big.bin
RDP_ZENODO_TOKEN=$zenodo_token rdp upload data --to zenodo --json --publish \
  --title 'rdp smoke test' --description 'Uploaded by the installed package.' --creator 'Doe, Jane' \
  > zenodo.json 2> zenodo.err || fail "Zenodo upload: $(cat zenodo.err)"
IFS=$'\x1f' read -r published doi files md5 < <(fields zenodo.json d.published d.doi d.files.length 'd.files.find((f) => f.name === "big.bin")?.md5')
[ "$published" = true ] && [ -n "$doi" ] || fail "Zenodo upload not published with a DOI: $(cat zenodo.json)"
[ "$files" = 3 ] || fail "Zenodo upload reported $files files, not 3"
[ "$md5" = "$(md5sum data/big.bin | cut -d' ' -f1)" ] || fail "big.bin's MD5 ($md5) differs from md5sum's"
say "Zenodo upload: published $doi"

# 4. NOMAD: a folder streamed as one zip, processed.
mkdir -p run/relax
printf '{"data": {"m_def": "nomad.datamodel.metainfo.eln.ElnBaseSection", "name": "smoke"}}\n' > run/smoke.archive.json
echo 'raw file' > run/relax/notes.txt
RDP_NOMAD_TOKEN=$nomad_token rdp upload run --to nomad --json > nomad.json 2> nomad.err || fail "NOMAD upload: $(cat nomad.err)"
IFS=$'\x1f' read -r status entries upload_id < <(fields nomad.json d.processStatus d.entries d.uploadId)
[ "$status" = SUCCESS ] && [ "$entries" -ge 1 ] || fail "NOMAD processing: $(cat nomad.json)"
say "NOMAD upload: $upload_id, $entries entries"

# 5. The keychain (through the package's keychain child): log in, then use the stored token.
if [ "${RDP_SECRET_SERVICE:-}" = 1 ]; then
  printf %s "$zenodo_token" | rdp login zenodo --with-token --json > login.json 2> login.err || fail "login: $(cat login.err)"
  storage=$(fields login.json d.storage)
  [ "$storage" = keychain ] || fail "login did not use the keychain: $(cat login.json)"
  rdp uploads list --on zenodo --json > list.json 2> list.err || fail "uploads list: $(cat list.err)"
  listed=$(DOI=$doi fields list.json 'd.some((r) => r.doi === process.env.DOI)')
  [ "$listed" = true ] || fail "uploads list (keychain token) does not show $doi: $(cat list.json)"
  rdp logout zenodo > /dev/null 2>&1 || fail "logout failed"
  say "keychain login, list, logout: ok"
elif [ "${RDP_TEST_STRICT:-}" = 1 ]; then
  fail "no Secret Service for the keychain part (run under scripts/with-secret-service.sh)"
else
  say "skipped: keychain part (no Secret Service; run under scripts/with-secret-service.sh)"
fi

# 6. Stop the emulator as a user does (Ctrl-C).
kill -INT "$emulator_pid"
status=0
wait "$emulator_pid" || status=$?
emulator_pid=
[ "$status" = 0 ] || [ "$status" = 130 ] || fail "rdp emulator exited $status on SIGINT: $(cat emulator.err)"

# 7. No token in anything rdp printed, but the emulator's own listing of them.
for f in *.json *.err; do
  [ "$f" = emulator.json ] && continue
  if grep -qF -e "$zenodo_token" -e "$nomad_token" "$f"; then fail "a token leaked into $f"; fi
done
say "ok: rdp $want_version on Node $node_version"
