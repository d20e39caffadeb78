#!/usr/bin/env bash
# Installs Ceph's monitor, OSD, RADOS Gateway and command-line tools from Debian, when any is missing.
# Idempotent (a machine that has them installs nothing) and quiet (prints only on failure). Several callers at
# once are serialised: the second finds the packages installed.
set -euo pipefail

missing() {
  local need=() t
  for t in ceph-mon ceph-osd radosgw; do command -v "$t" >/dev/null 2>&1 || need+=("$t"); done
  command -v radosgw-admin >/dev/null 2>&1 || need+=(radosgw)
  for t in ceph ceph-authtool monmaptool; do command -v "$t" >/dev/null 2>&1 || { need+=(ceph-common); break; }; done
  echo "${need[@]}"
}

need=$(missing)
[ -z "$need" ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "scripts/rgw/install.sh: Ceph is missing ($need) and installing it needs root" >&2
  exit 1
fi

exec 9>/var/lock/ferry-rgw-install.lock
flock -w 900 9 || { echo "scripts/rgw/install.sh: another install holds the lock" >&2; exit 1; }
need=$(missing)
[ -z "$need" ] && exit 0

log=$(mktemp)
policy_added=0
cleanup() {
  [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
  rm -f "$log"
}
trap cleanup EXIT
# The packages' scripts must not start system daemons: the tests run clusters of their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # $need is a list of package names
if ! { apt-get update -qq -o DPkg::Lock::Timeout=300 &&
       apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends $need; } >"$log" 2>&1; then
  echo "scripts/rgw/install.sh: apt-get install $need failed:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
need=$(missing)
[ -z "$need" ] || { echo "scripts/rgw/install.sh: still missing after the install: $need" >&2; exit 1; }
