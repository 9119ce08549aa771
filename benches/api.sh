#!/usr/bin/env bash
# The API benchmark (issue 7): `GET /api/v1/subjects/{id}/consent` under
# load from wrk in a second process on loopback, against SQLite and, with a
# PostgreSQL URL, against PostgreSQL. Usage, from the project root:
#
#   cargo build --release --bin candor
#   benches/api.sh [POSTGRES_URL] [CUSTOMERS] [SECONDS] [CONNECTIONS]
#
# It builds an installation with `candor demo-data` (CUSTOMERS customers,
# 12 interactions each), imports it, issues an admin token, serves it with
# the rate limits raised (the load is one client), and has wrk ask for the
# consent state of customers picked at random from 200 of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
candor="${CARGO_TARGET_DIR:-$root/target}/release/candor"
pg="${1:-}"
customers="${2:-20000}"
seconds="${3:-20}"
connections="${4:-32}"
dir="$(mktemp -d)"
trap 'if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT

run() {
    local backend="$1"
    local site="$dir/$backend"
    if [ "$backend" = postgres ]; then
        export CANDOR_DATABASE__SCHEMA="bench_api_$$"
        "$candor" init "$site" --database-url "$pg" >/dev/null
    else
        "$candor" init "$site" >/dev/null
        unset CANDOR_DATABASE__SCHEMA
    fi
    cd "$site"
    "$candor" policy publish policy.toml >/dev/null
    local brands
    brands="$("$candor" demo-data --out data --customers "$customers" --interactions $((customers * 12)) --seed 1 2>&1 | sed -n 's/.*import data\/twcs.csv//p')"
    # Exit 2 says some (deliberately malformed) records were quarantined.
    "$candor" import data/contacts.csv >/dev/null 2>&1 || [ $? -eq 2 ]
    # shellcheck disable=SC2086
    "$candor" import data/twcs.csv $brands >/dev/null 2>&1 || [ $? -eq 2 ]
    "$candor" actor add bench --role admin >/dev/null
    "$candor" actor attest bench >/dev/null
    local token
    token="$("$candor" actor token bench)"
    # Customers' ids, found through the blind index from the CRM file.
    local port
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    CANDOR_SERVER__RATE_PER_TOKEN=10000000 CANDOR_SERVER__RATE_PER_IP=10000000 CANDOR_LOG=warn "$candor" serve --addr "127.0.0.1:$port" 2>"$site/server.log" &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    python3 - "$site/data/contacts.csv" >"$site/ids.txt" <<'PY'
import csv, sys
with open(sys.argv[1]) as f:
    rows = csv.DictReader(f)
    emails = [v for row in rows for k, v in row.items() if "mail" in k.lower() and v]
print("\n".join(emails[:400]))
PY
    : >"$site/subjects.txt"
    while read -r email; do
        "$candor" subject find --email "$email" 2>/dev/null >>"$site/subjects.txt" || true
        [ "$(wc -l <"$site/subjects.txt")" -ge 200 ] && break
    done <"$site/ids.txt"
    cat >"$site/consent.lua" <<LUA
local ids = {}
for line in io.lines("$site/subjects.txt") do ids[#ids + 1] = line end
wrk.headers["Authorization"] = "Bearer $token"
request = function()
  return wrk.format("GET", "/api/v1/subjects/" .. ids[math.random(#ids)] .. "/consent")
end
LUA
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/subjects/$(head -1 "$site/subjects.txt")/consent" >/dev/null
    wrk -t2 -c8 -d3s -s "$site/consent.lua" "http://127.0.0.1:$port" >/dev/null # warm up
    echo "== $backend: $(wc -l <"$site/subjects.txt") customers, wrk -t2 -c$connections -d${seconds}s"
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$site/consent.lua" "http://127.0.0.1:$port"
    kill "$server"
    wait "$server" 2>/dev/null || true
    if [ "$backend" = postgres ]; then
        psql "$pg" -qc "set client_min_messages = warning; drop schema $CANDOR_DATABASE__SCHEMA cascade" >/dev/null
    fi
    cd "$root"
}

[ -n "${SKIP_SQLITE:-}" ] || run sqlite
if [ -n "$pg" ]; then run postgres; fi
