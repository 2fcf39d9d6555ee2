#!/usr/bin/env bash
# with-secret-service.sh CMD [ARGS...]
# Runs CMD inside a private D-Bus session with a throwaway, unlocked gnome-keyring (Secret Service),
# as on a CI runner or an SSH session. The bus and the daemon end with CMD; nothing touches the
# user's own keyring. Needs: dbus-x11 (dbus-run-session, dbus-send), gnome-keyring, libsecret-tools.
set -euo pipefail

if [ -z "${RDP_WSS_INNER:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon secret-tool dbus-send; do
    command -v "$tool" >/dev/null || { echo "with-secret-service: $tool not found (apt-get install dbus-x11 gnome-keyring libsecret-tools)" >&2; exit 91; }
  done
  export RDP_WSS_INNER=1
  # No display: a locked keyring must fail instead of showing an unlock prompt that waits forever.
  unset DISPLAY WAYLAND_DISPLAY
  exec dbus-run-session -- "$0" "$@"
fi
unset RDP_WSS_INNER

keyring_home=$(mktemp -d)
# gnome-keyring-daemon keeps its control socket in $XDG_RUNTIME_DIR/keyring: a private one keeps this
# keyring apart from any other (a desktop session's, or an outer run of this script).
runtime_dir=$(mktemp -d)
chmod 700 "$runtime_dir"
export XDG_RUNTIME_DIR="$runtime_dir"
trap 'rm -rf "$keyring_home" "$runtime_dir"' EXIT
# --unlock reads the password on stdin; with no keyring yet it creates an unlocked default ("login")
# collection. It exits 0 even when the password is wrong, hence the canary below.
printf '%s' "${KEYRING_PASSWORD:-rdp-ci-keyring}" |
  XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null

for _ in $(seq 50); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done

if ! printf ok | timeout 5 secret-tool store --label=rdp-canary rdp-canary 1 ||
   [ "$(timeout 5 secret-tool lookup rdp-canary 1)" != ok ]; then
  echo "with-secret-service: the keyring is not usable (locked?)" >&2
  exit 90
fi
timeout 5 secret-tool clear rdp-canary 1
export RDP_SECRET_SERVICE=1
"$@"
