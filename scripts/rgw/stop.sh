#!/usr/bin/env bash
# Stops the cluster that scripts/rgw/start.sh started under DIR, by the pids in DIR/run/*.pid:
# the gateways first, then the OSD and the monitor; SIGTERM, then SIGKILL after a bounded wait.
#
#   scripts/rgw/stop.sh DIR [--remove]     (--remove also deletes DIR)
set -uo pipefail

DIR=${1:?usage: stop.sh DIR [--remove]}
[ -d "$DIR/run" ] || { [ "${2:-}" = --remove ] && rm -rf "$DIR"; exit 0; }

# A pid counts only while it is still the daemon that wrote it (its command line names this cluster's conf).
ours() {
  local pid=$1
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR/ceph.conf"
}

stop_group() {
  local pids=() f pid i
  for f in "$@"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    [[ "$pid" =~ ^[0-9]+$ ]] && ours "$pid" && pids+=("$pid")
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do           # at most 5 s
    local alive=0
    for pid in "${pids[@]}"; do ours "$pid" && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do ours "$pid" && kill -KILL "$pid" 2>/dev/null; done
  return 0
}

shopt -s nullglob
stop_group "$DIR"/run/client.rgw.*.pid
stop_group "$DIR"/run/osd.*.pid "$DIR"/run/mon.*.pid
[ "${2:-}" = --remove ] && rm -rf "$DIR"
exit 0
