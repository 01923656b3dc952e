#!/usr/bin/env bash
# Load benchmark of `charter serve` over TLS with wrk (Debian package `wrk`):
# 64 connections, half the reviews allowed (a ConfigMap) and half denied (a
# privileged Deployment), for a fixed duration, twice:
#   1. paced: each connection waits DELAY_MS (default 31 ms) between
#      requests, so about 2,000 requests/s are offered; latency percentiles
#      are those of an answer at that rate;
#   2. the same with jittered pauses (uniform 0 to 2 x DELAY_MS): the
#      connections no longer arrive in lockstep bursts of 64;
#   3. unpaced: as fast as the server answers, for the throughput ceiling.
# Then it reads the server's peak RSS (VmHWM) and its error counter.
#
# By default wrk and the server share every core, so the load generator's
# own TLS and scheduling land in the server's latency. PIN=1 gives each its
# own core (taskset, from util-linux): the server with one worker (`-j 1`)
# on CPU 0, wrk with one thread on CPU 1, the way an API server and its
# webhook run on different machines or cores.
#
#   cargo build --release && benches/serve-load.sh           # DURATION=30 by default
#   CHARTER=target/release/charter DURATION=60 benches/serve-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

charter="${CHARTER:-target/release/charter}"
duration="${DURATION:-30}"
connections="${CONNECTIONS:-64}"
delay_ms="${DELAY_MS:-31}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "needs openssl" >&2; exit 2; }
[ -x "$charter" ] || { echo "no $charter: cargo build --release first" >&2; exit 2; }

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null


server_cpu=()
wrk_cpu=()
jobs=()
wrk_threads=2
if [ "${PIN:-0}" = 1 ]; then
  command -v taskset >/dev/null || { echo "PIN=1 needs taskset (util-linux)" >&2; exit 2; }
  server_cpu=(taskset -c 0)
  wrk_cpu=(taskset -c 1)
  jobs=(-j 1)
  wrk_threads=1
fi

"${server_cpu[@]}" "$charter" serve "${jobs[@]}" --listen 127.0.0.1:0 --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
  --no-config 2> "$work/server.log" &
server=$!
address=""
for _ in $(seq 100); do
  address="$(grep -o '"address":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4 || true)"
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "$address" ] || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

# The two reviews are shared with `cargo bench --bench review` (in-process cost).
export ALLOWED_BODY="benches/reviews/allowed.json" DENIED_BODY="benches/reviews/denied.json"
echo "== machine: $(nproc) cores; server $charter on $address; $connections connections, ${duration}s per run; pinned: ${PIN:-0}"
echo "== warm-up (5s)"
DELAY_MS=0 "${wrk_cpu[@]}" wrk -t"$wrk_threads" -c"$connections" -d5s -s benches/serve-load.lua "https://$address/validate" >/dev/null
echo "== paced: ${delay_ms} ms between requests on each connection"
DELAY_MS="$delay_ms" "${wrk_cpu[@]}" wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s benches/serve-load.lua "https://$address/validate"
echo "== paced with jitter: 0 to $((2 * delay_ms)) ms between requests on each connection"
JITTER=1 DELAY_MS="$delay_ms" "${wrk_cpu[@]}" wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s benches/serve-load.lua "https://$address/validate"
echo "== unpaced"
DELAY_MS=0 "${wrk_cpu[@]}" wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s benches/serve-load.lua "https://$address/validate"

metrics="$(curl -sk "https://$address/metrics" || true)"
echo "== server"
grep -E '^charter_admission_requests_total' <<<"$metrics" || echo "(curl not available: metrics not read)"
grep -E '^charter_admission_duration_seconds_(sum|count)' <<<"$metrics" || true
grep VmHWM "/proc/$server/status" | sed 's/VmHWM:/peak RSS (VmHWM):/'
