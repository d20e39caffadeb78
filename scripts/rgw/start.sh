#!/usr/bin/env bash
# Starts a one-node Ceph cluster with two RADOS Gateways (two S3 regions) under DIR, on loopback only.
#
#   scripts/rgw/start.sh DIR [MON_PORT RGW_PORT_A RGW_PORT_B]
#
# One monitor, one bluestore OSD on a sparse file, no manager, pools of size 1, cluster auth none (S3 requests
# are still checked against each user's SigV4 keys). Region A and region B are two radosgw processes, each with
# its own user in its own tenant, so each has its own bucket namespace. Ports not given are picked free.
# Credentials come from RGW_A_ACCESS_KEY / RGW_A_SECRET_KEY / RGW_B_ACCESS_KEY / RGW_B_SECRET_KEY.
#
# On success the last line of standard output is JSON: endpoints, tenants and pids (never the secrets).
# Every daemon writes DIR/run/NAME.pid; scripts/rgw/stop.sh DIR stops them by pid.
set -euo pipefail

DIR=${1:?usage: start.sh DIR [MON_PORT RGW_PORT_A RGW_PORT_B]}
HERE=$(cd "$(dirname "$0")" && pwd)

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "start.sh: $tool is not installed (run scripts/rgw/install.sh)" >&2; exit 3; }
done

free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]); const servers = []; const ports = [];
    const next = () => { if (ports.length === n) { servers.forEach((s) => s.close()); console.log(ports.join(" ")); return; }
      const s = net.createServer(); servers.push(s);
      s.listen(0, "127.0.0.1", () => { ports.push(s.address().port); next(); }); };
    next();' "$1"
}

if [ $# -ge 4 ]; then
  MON_PORT=$2 PORT_A=$3 PORT_B=$4
else
  read -r MON_PORT PORT_A PORT_B < <(free_ports 3)
fi
for port in "$MON_PORT" "$PORT_A" "$PORT_B"; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -lt 65536 ] || { echo "start.sh: invalid port '$port'" >&2; exit 2; }
done
[ -e "$DIR/ceph.conf" ] && { echo "start.sh: $DIR already holds a cluster" >&2; exit 2; }

: "${RGW_A_ACCESS_KEY:?RGW_A_ACCESS_KEY is required}" "${RGW_A_SECRET_KEY:?RGW_A_SECRET_KEY is required}"
: "${RGW_B_ACCESS_KEY:?RGW_B_ACCESS_KEY is required}" "${RGW_B_SECRET_KEY:?RGW_B_SECRET_KEY is required}"
TENANT_A=${RGW_A_TENANT:-rgwa}
TENANT_B=${RGW_B_TENANT:-rgwb}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
mkdir -p "$DIR"/{run,log,mon,osd,rgw}
CONF=$DIR/ceph.conf
FSID=$(cat /proc/sys/kernel/random/uuid)
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)

cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon_host = [v2:127.0.0.1:$MON_PORT]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_msgr1 = false
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
auth_supported = none
# With auth none the messenger must not ask for secure mode: radosgw hangs at start otherwise.
ms_mon_client_mode = crc
ms_client_mode = crc
ms_service_mode = crc
ms_cluster_mode = crc
ms_mon_service_mode = crc
ms_mon_cluster_mode = crc
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
pid_file = $DIR/run/\$name.pid
log_file = $DIR/log/\$name.log
mon_cluster_log_file = $DIR/log/cluster.log
log_to_stderr = false
err_to_stderr = true
keyring = $DIR/keyring
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
# A fuller disk would stop the monitor: it shuts down below 5% free space by default.
mon_data_avail_warn = 2
mon_data_avail_crit = 1

[mon]
mon_data = $DIR/mon/\$cluster-\$id

[osd]
osd_data = $DIR/osd/\$cluster-\$id
osd_objectstore = bluestore
bluestore_block_path = $DIR/osd/block
bluestore_block_create = true
bluestore_block_size = 10737418240
bluestore_block_db_create = false
bluestore_block_wal_create = false
bluestore_fsck_on_mkfs = false
osd_memory_target = 1073741824
bluestore_cache_autotune = true
osd_op_num_shards = 2
osd_op_num_threads_per_shard = 1

[client]
rgw_data = $DIR/rgw/\$cluster-\$id
rgw_enable_usage_log = false
rgw_enable_ops_log = false
rgw_thread_pool_size = 64
rgw_dynamic_resharding = false

[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$PORT_A

[client.rgw.b]
rgw_frontends = beast endpoint=127.0.0.1:$PORT_B
# One gateway collects garbage and runs lifecycle for the zone; the other only serves requests.
rgw_enable_gc_threads = false
rgw_enable_lc_threads = false
CONF

fail() {
  trap - ERR INT TERM
  echo "start.sh: $*" >&2
  local f lines
  for f in "$DIR"/log/*; do
    [ -s "$f" ] || continue
    lines=$(tail -n 400 "$f" | grep -E ' -1 |ERROR|rror:|failed|denied' | tail -n 6 | cut -c1-300) || true
    [ -n "$lines" ] && printf -- '--- %s:\n%s\n' "$(basename "$f")" "$lines" >&2
  done
  "$HERE/stop.sh" "$DIR" >/dev/null 2>&1 || true
  echo "start.sh: $*" >&2
  exit 1
}

trap 'fail "interrupted"' INT TERM
set -E
trap 'fail "failed at line $LINENO: $BASH_COMMAND"' ERR

ceph_() { timeout 15 ceph -c "$CONF" --connect-timeout 10 "$@"; }

# Waits until CMD succeeds, for at most SECONDS of wall time (and at most 600 tries).
wait_until() {
  local deadline=$((SECONDS + $1)) i; shift
  for ((i = 0; i < 600 && SECONDS < deadline; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# Monitor.
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null 2>&1 \
  || fail "monmaptool failed"
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" >"$DIR/log/mkfs-mon.out" 2>&1 || fail "ceph-mon --mkfs failed"
ceph-mon -c "$CONF" -i a >>"$DIR/log/daemons.out" 2>&1 || fail "ceph-mon did not start"
wait_until 30 ceph_ mon stat || fail "the monitor does not answer on 127.0.0.1:$MON_PORT"

# OSD: bluestore on a sparse file inside DIR.
OSD_ID=$(ceph_ osd new "$OSD_UUID" 2>"$DIR/log/osd-new.out") || fail "ceph osd new failed"
mkdir -p "$DIR/osd/ceph-$OSD_ID"
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/mkfs-osd.out" 2>&1 || fail "ceph-osd --mkfs failed"
ceph-osd -c "$CONF" -i "$OSD_ID" >>"$DIR/log/daemons.out" 2>&1 || fail "ceph-osd did not start"
osd_up() { ceph_ osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up"; }
wait_until 60 osd_up || fail "osd.$OSD_ID did not come up"

# Users: one per region, each in its own tenant. radosgw-admin creates the realm's pools on first use.
mkuser() {
  timeout 120 radosgw-admin -c "$CONF" -n client.admin user create --tenant "$1" --uid ferry --display-name "ferry $1" \
    --access-key "$2" --secret-key "$3" >/dev/null 2>>"$DIR/log/radosgw-admin.out"
}
mkuser "$TENANT_A" "$RGW_A_ACCESS_KEY" "$RGW_A_SECRET_KEY" || fail "radosgw-admin user create ($TENANT_A) failed"
mkuser "$TENANT_B" "$RGW_B_ACCESS_KEY" "$RGW_B_SECRET_KEY" || fail "radosgw-admin user create ($TENANT_B) failed"

# Gateways.
radosgw -c "$CONF" -n client.rgw.a >>"$DIR/log/daemons.out" 2>&1 || fail "radosgw a did not start"
radosgw -c "$CONF" -n client.rgw.b >>"$DIR/log/daemons.out" 2>&1 || fail "radosgw b did not start"
# A gateway answers when its own process (not some other server on a reused port) listens there and S3 answers.
answers() {
  local name=$1 port=$2 pid
  pid=$(cat "$DIR/run/$name.pid" 2>/dev/null) && [ -d "/proc/$pid" ] || return 1
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid," || return 1
  fi
  curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/"
}
gone() { ! pgrep -f -- "-c $CONF -n $1\$" >/dev/null 2>&1; }
gateway_up() { answers "$1" "$2" || { gone "$1" && return 2; return 1; }; }
for gw in "a $PORT_A" "b $PORT_B"; do
  read -r id port <<<"$gw"
  up=1
  for ((i = 0; i < 300; i++)); do        # at most 60 s
    gateway_up "client.rgw.$id" "$port" && up=0 || up=$?
    [ $up = 0 ] || [ $up = 2 ] && break
    sleep 0.2
  done
  [ $up = 0 ] || fail "radosgw $id does not answer on 127.0.0.1:$port$([ $up = 2 ] && echo ' (it exited: is the port in use?)')"
done

pid() { cat "$DIR/run/$1.pid" 2>/dev/null || echo 0; }
printf '{"dir":"%s","monPort":%s,"a":{"endpoint":"http://127.0.0.1:%s","tenant":"%s"},"b":{"endpoint":"http://127.0.0.1:%s","tenant":"%s"},"pids":[%s,%s,%s,%s]}\n' \
  "$DIR" "$MON_PORT" "$PORT_A" "$TENANT_A" "$PORT_B" "$TENANT_B" \
  "$(pid client.rgw.a)" "$(pid client.rgw.b)" "$(pid "osd.$OSD_ID")" "$(pid mon.a)"
