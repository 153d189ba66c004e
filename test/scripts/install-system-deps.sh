#!/usr/bin/env bash
# Installs the Debian packages FleetAI's tests and demo need, only those missing:
#   chromium, fonts-wqy-microhei              the real browser for the end-to-end tests, and a CJK font for its
#                                             screenshots of the Chinese UI
#   build-essential python3 pkg-config libkrb5-dev   to compile code-server's native modules (test VS Code)
#   prometheus                                (--ops) prometheus and promtool for test/ops; the tests start their
#                                             own server, so the package's service is stopped and disabled
#   systemd                                   (--ops) systemd-analyze verifies the unit of fleet service:install,
#                                             systemd-notify is what fleet orchestrator pings the watchdog with
# Usage: install-system-deps.sh [--browser] [--ops]   (without them, chromium and prometheus are not required:
#        the demo needs neither)
set -euo pipefail

packages=(build-essential python3 pkg-config libkrb5-dev)
ops=0
for arg in "$@"; do
  case "$arg" in
    --browser) packages+=(chromium fonts-wqy-microhei) ;;
    --ops) packages+=(prometheus systemd) ops=1 ;;
    *) echo "install-system-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "install-system-deps: missing ${missing[*]} and this is not a Debian/Ubuntu system; install them by hand." >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo=(sudo); else
    echo "install-system-deps: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-system-deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
# Debian's prometheus package enables a system service on :9090 where systemd runs (CI runners): the tests need
# no daemon of their own, and a stray one would take a port and scrape nothing useful.
if [ "$ops" = 1 ] && command -v systemctl >/dev/null && systemctl is-enabled prometheus >/dev/null 2>&1; then
  "${sudo[@]}" systemctl disable --now prometheus >&2 || true
fi
