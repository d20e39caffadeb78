#!/usr/bin/env bash
# Before the tests: every program outside Node that they run must be on this machine. As root with apt-get (a
# fresh CI machine), what is missing is installed from Debian; otherwise this stops at once, naming what is missing
# and the command that installs it. `--check` only reports, never installs.
#
# Uses shell builtins and absolute paths only, so it can be checked with PATH pointing at a folder that lacks
# some programs (the tests find most programs on PATH, and a few by absolute path, as listed here).
set -uo pipefail
case "$0" in */*) cd "${0%/*}/.." || exit 1 ;; *) cd .. || exit 1 ;; esac

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

# An executable file of that name in a folder of PATH (`command -v` would also name a file that cannot run).
on_path() {
  local d IFS=:
  for d in $PATH; do [ -n "$d" ] && [ -f "$d/$1" ] && [ -x "$d/$1" ] && return 0; done
  return 1
}
# An executable file at that path.
runs() { [ -f "$1" ] && [ -x "$1" ]; }

missing=()   # what is missing, for people
packages=()  # the Debian packages that provide it
ceph=0       # Ceph is installed by scripts/rgw/install.sh (it keeps the packages' daemons from starting)

need() { missing+=("$1"); shift; packages+=("$@"); }

probe() {
  missing=() packages=() ceph=0
  # The AWS CLI v2, by path: a pyenv or pip v1 often comes first on PATH. Its --version takes a second or two:
  # it runs while the rest is looked at.
  local aws_fd="" v
  runs /usr/bin/aws && exec {aws_fd}< <(/usr/bin/aws --version 2>&1)
  on_path rclone || need rclone rclone
  on_path s3cmd || need s3cmd s3cmd
  runs /usr/bin/sqlite3 || need "sqlite3 (/usr/bin/sqlite3)" sqlite3
  on_path curl || need curl curl
  # The bench's reverse proxy, by path (Debian puts it in /usr/sbin, which a user's PATH may lack).
  runs /usr/sbin/nginx || need "nginx (/usr/sbin/nginx, the bench)" nginx
  runs /usr/lib/postgresql/15/bin/pg_ctl && runs /usr/lib/postgresql/15/bin/initdb ||
    need "PostgreSQL 15 (/usr/lib/postgresql/15/bin/pg_ctl, initdb)" postgresql
  if ! runs /usr/bin/python3; then need "python3 (/usr/bin/python3) with boto3 and requests" python3 python3-boto3 python3-requests
  else
    local m
    # Found without importing them (an import of boto3 takes most of a second).
    # (An empty folder of that name is a namespace package, with no origin: not the module.)
    for m in $(/usr/bin/python3 -c 'import importlib.util as u; print(*(m for m in ("boto3", "requests")
      if (s := u.find_spec(m)) is None or s.origin in (None, "namespace")))' 2>/dev/null ||
               echo boto3 requests); do
      need "$m for /usr/bin/python3" "python3-$m"
    done
  fi
  runs /usr/bin/chromium || need "Chromium (/usr/bin/chromium, the console test)" chromium
  # The fault suites: a loop-mounted file system and a lowered open-file limit.
  on_path mkfs.ext4 || need "mkfs.ext4 (the fault suites)" e2fsprogs
  on_path prlimit || need "prlimit (the fault suites)" util-linux
  local t
  for t in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool; do
    on_path "$t" || { ceph=1; break; }
  done
  [ "$ceph" = 1 ] && missing+=("Ceph's monitor, OSD and RADOS Gateway (ceph-mon, ceph-osd, radosgw, ceph-common)")
  if [ -z "$aws_fd" ]; then need "AWS CLI v2 (/usr/bin/aws)" awscli
  else
    v=""
    IFS= read -r -u "$aws_fd" v || true
    exec {aws_fd}<&-
    [[ "$v" == aws-cli/2* ]] || need "AWS CLI v2 (/usr/bin/aws says: ${v:-nothing})" awscli
  fi
  return 0
}

# The packages, each once, in the order first needed.
unique_packages() {
  local -A seen=()
  local p out=()
  for p in "${packages[@]}"; do [ -n "${seen[$p]:-}" ] || { seen[$p]=1; out+=("$p"); }; done
  echo "${out[*]}"
}

install_command() {
  local cmd=""
  [ ${#packages[@]} -gt 0 ] && cmd="apt-get update && apt-get install -y --no-install-recommends $(unique_packages)"
  [ "$ceph" = 1 ] && cmd="${cmd:+$cmd && }bash scripts/rgw/install.sh"
  echo "$cmd"
}

probe
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$check_only" = 0 ] && [ "$EUID" = 0 ] && [ -x /usr/bin/apt-get ]; then
  echo "preflight: installing what the tests need: ${missing[*]}" >&2
  if [ ${#packages[@]} -gt 0 ]; then
    log=$(mktemp)
    policy_added=0
    # The packages' scripts must not start system daemons (nginx, PostgreSQL): the tests run their own.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
    fi
    # shellcheck disable=SC2046 # a list of package names
    if ! { /usr/bin/apt-get update -qq -o DPkg::Lock::Timeout=300 &&
           DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends \
             $(unique_packages); } >"$log" 2>&1; then
      echo "preflight: apt-get install failed:" >&2
      tail -n 30 "$log" >&2
      [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
      rm -f "$log"
      exit 1
    fi
    [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
    rm -f "$log"
  fi
  [ "$ceph" = 1 ] && { bash scripts/rgw/install.sh || exit 1; }
  probe
  [ ${#missing[@]} -eq 0 ] && exit 0
  echo "preflight: still missing after the install:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

echo "preflight: the tests need programs this machine lacks:" >&2
printf '  - %s\n' "${missing[@]}" >&2
echo "Install them (Debian 12, as root) with:" >&2
echo "  sudo bash -c '$(install_command)'" >&2
echo "(or run: sudo bash scripts/preflight.sh, which does the same)" >&2
exit 1
