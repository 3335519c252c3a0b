#!/usr/bin/env bash
# Chromium for the review console's browser tests (tests/Moderation.Console.Tests drive /usr/bin/chromium).
# Installs Debian's chromium package with apt when it is missing and this runs as root; otherwise says what to do.
# Never fails the caller: without Chromium the browser tests skip with the reason.
if [ -x /usr/bin/chromium ]; then
  return 0 2>/dev/null || exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing chromium with apt for the review console's browser tests ..."
  if ! { apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1; }; }; then
    echo "Could not install chromium; the review console's browser tests will be skipped." >&2
  fi
else
  echo "No /usr/bin/chromium (install it: sudo apt-get install -y chromium); the review console's browser tests will be skipped." >&2
fi
return 0 2>/dev/null || exit 0
