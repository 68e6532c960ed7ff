#!/usr/bin/env bash
# System packages ferkit uses beyond npm: ffmpeg (for `ferkit video`),
# Chromium (the web page's tests drive it headless; never downloaded by a tool)
# and Redis (the job queue of `ferkit worker` / `ferkit submit`; its tests start
# their own server).
# Installs the missing ones with apt where apt can be used; never fails the
# set-up: without ffmpeg, `ferkit video` says how to install it, and the tests
# that need a missing program are skipped with a message.
set -uo pipefail
missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
fi
if command -v apt-get >/dev/null 2>&1 && [ "$SUDO" != "none" ]; then
  echo "installing ${missing[*]} with apt-get" >&2
  if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
fi
echo "warning: ${missing[*]} not installed and could not be installed here; \`ferkit video\` needs ffmpeg, the web page's tests need chromium, the queue's tests need redis-server (apt-get install ${missing[*]})" >&2
exit 0
