#!/usr/bin/env bash
# action.yml, step 2: run `rdp upload` with the action's inputs (INPUT_* variables) and write the
# outputs doi, record-id and url from its --json result to GITHUB_OUTPUT. Tokens are never arguments:
# rdp reads them from RDP_ZENODO_TOKEN, RDP_NOMAD_TOKEN or RDP_<SITE>_TOKEN, set by the workflow.
set -euo pipefail
: "${GITHUB_OUTPUT:?}" "${RUNNER_TEMP:?}"

usage_error() {
  echo "::error title=rdp action::$1"
  exit 2
}
# A boolean input: true/false (also yes/no, 1/0, any case); anything else is a mistake worth stopping for.
flag() {
  case "$(printf %s "$2" | tr '[:upper:]' '[:lower:]')" in
    true | yes | 1) return 0 ;;
    false | no | 0 | '') return 1 ;;
    *) usage_error "input $1 must be true or false, not \"$2\"" ;;
  esac
}

args=(upload)
while IFS= read -r line || [ -n "$line" ]; do
  path=$(printf %s "$line" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
  [ -n "$path" ] && args+=("$path")
done <<< "${INPUT_PATHS:-}"
[ ${#args[@]} -gt 1 ] || usage_error "input paths is empty: name the files and folders to upload, one per line"

args+=(--to "${INPUT_TARGET:-zenodo}" --json)
if flag publish "${INPUT_PUBLISH:-}"; then args+=(--publish); fi
if flag sandbox "${INPUT_SANDBOX:-}"; then args+=(--sandbox); fi
if flag delete-extra "${INPUT_DELETE_EXTRA:-}"; then args+=(--delete-extra); fi
if flag write-doi "${INPUT_WRITE_DOI:-}"; then args+=(--write-doi); fi
[ -z "${INPUT_NEW_VERSION:-}" ] || args+=(--new-version "$INPUT_NEW_VERSION")
[ -z "${INPUT_METADATA:-}" ] || args+=(--metadata "$INPUT_METADATA")

result="$RUNNER_TEMP/rdp-upload-result.json"
errors="$RUNNER_TEMP/rdp-upload-errors.txt"
echo "rdp ${args[*]}"
# stdout (the JSON result) to a file; stderr (progress, notices) to the log as it comes, and kept for
# the error annotation.
set +e
rdp "${args[@]}" 2>&1 > "$result" | tee "$errors" >&2
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  # --json failures are one JSON document on stderr: turn it into an annotation.
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    const line = text.split("\n").reverse().find((l) => l.startsWith("{\"error\""));
    let e;
    try { e = JSON.parse(line).error; } catch { e = { code: "FAILED", message: text.trim().split("\n").pop() || "rdp failed" }; }
    const esc = (s) => String(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
    console.log(`::error title=rdp upload failed (${esc(e.code)})::${esc(e.message)}${e.hint ? esc(" " + e.hint) : ""}`);
  ' "$errors" || true
  exit "$status"
fi

# Outputs from the result: Zenodo and sites give id/doi/url, NOMAD uploadId/url.
node -e '
  const fs = require("fs");
  const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const out = { doi: r.doi ?? "", "record-id": r.id ?? r.uploadId ?? "", url: r.url ?? "" };
  const delimiter = `rdp_${require("crypto").randomUUID()}`;
  let text = "";
  for (const [k, v] of Object.entries(out)) text += `${k}<<${delimiter}\n${v}\n${delimiter}\n`;
  fs.appendFileSync(process.env.GITHUB_OUTPUT, text);
  for (const [k, v] of Object.entries(out)) console.log(`${k}: ${v}`);
' "$result"
