#!/usr/bin/env bash
# System packages ferkit uses beyond npm: ffmpeg (for `ferkit video`).
# Installs them with apt where they are missing and apt can be used; never
# fails the set-up: without ffmpeg, `ferkit video` says how to install it and
# its tests are skipped.
set -uo pipefail
if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
fi
if command -v apt-get >/dev/null 2>&1 && [ "$SUDO" != "none" ]; then
  echo "installing ffmpeg with apt-get" >&2
  if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ffmpeg >/dev/null; then
    exit 0
  fi
fi
echo "warning: ffmpeg is not installed and could not be installed here; \`ferkit video\` needs it (apt-get install ffmpeg, brew install ffmpeg)" >&2
exit 0
