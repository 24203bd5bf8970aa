#!/usr/bin/env bash
# Makes sure the Chromium that the end-to-end tests drive is there, installing Debian's
# `chromium` package with apt-get when it is missing. `npm test` runs this before its
# end-to-end step and .ci/run runs it first. Playwright cannot download its own browsers
# here, so the tests drive Debian's /usr/bin/chromium, or $CHROMIUM_PATH when that is set.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
PACKAGES=(chromium fonts-liberation)
ROOT_COMMAND="apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}"

# Debian's launcher script (/usr/bin/chromium) can print shell noise on stderr that does not
# matter: its /dev/shm size check fails with "[: N: unexpected operator" where /dev/shm is
# mounted twice (as in some containers), and then leaves shared memory on /dev/shm, which is
# the default anyway. So stderr is shown only when --version itself fails.
version() { "$CHROMIUM" --version 2>/dev/null || "$CHROMIUM" --version; }

if [ -x "$CHROMIUM" ]; then
  v=$(version) || { echo "error: $CHROMIUM is there but does not run (see above); reinstall it as root: $ROOT_COMMAND" >&2; exit 1; }
  echo "chromium present: $CHROMIUM ($v)"
  exit 0
fi

SUDO=()
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    printf '%s\n' "error: Chromium is missing ($CHROMIUM) and this user cannot install it (not root, and no sudo without a password)." \
      "Install it as root with this command, then run npm test again (or set CHROMIUM_PATH to a Chromium binary):" \
      "  $ROOT_COMMAND" >&2
    exit 1
  fi
fi

apt() {
  echo "running: ${SUDO[*]:+${SUDO[*]} }apt-get $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq "$@"
}

echo "chromium missing: $CHROMIUM; installing Debian's ${PACKAGES[*]} with apt-get"
installed=""
for attempt in 1 2 3; do
  if apt update && apt install -y --no-install-recommends "${PACKAGES[@]}"; then
    installed=yes
    break
  fi
  if [ "$attempt" != 3 ]; then
    echo "apt-get failed (attempt $attempt of 3); retrying in 10 s" >&2
    sleep 10
  fi
done
if [ -z "$installed" ]; then
  echo "error: could not install chromium with apt-get (see its errors above); as root, run: $ROOT_COMMAND" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "error: apt-get installed Debian's chromium, but $CHROMIUM is still missing: CHROMIUM_PATH=${CHROMIUM_PATH:-} points elsewhere; unset it to use /usr/bin/chromium" >&2
  exit 1
fi
echo "installed: $CHROMIUM ($(version))"
