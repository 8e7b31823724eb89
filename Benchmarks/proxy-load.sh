#!/usr/bin/env bash
# Benchmarks/proxy-load.sh: the proxy's cost on loopback (issue #5).
#
# One run measures, against one static nginx upstream that answers POST /v1/chat/completions
# with a fixed OpenAI chat completion (usage included):
#   direct    wrk → static upstream
#   nginx     wrk → nginx split_clients (5% "relay", rest "legacy", keepalive) → static upstream
#   shepherd  wrk → `shepherd serve` (release build) → static upstream (legacy and relay both openai)
# Each target gets a short warm-up, then a load run (wrk -t2 -c256 -d10s --latency, POST bodies with
# 1,000 different `user` values), then a low-concurrency latency run (1 connection, 5 s): at 256
# connections and full load p50 is mostly queueing (connections ÷ req/s), so the per-request cost a
# proxy adds is read at low concurrency, and shown at full load too.
# Optional floor targets (not run by default) measure a proxy with no logic at all, built from
# Benchmarks/LoadTools (proxy-floor), to show what each server/client stack costs on this machine by itself:
#   floor-hummingbird-static  Hummingbird answering by itself (no upstream)
#   floor-hummingbird-ahc     Hummingbird + AsyncHTTPClient forwarding (Shepherd's stack, no logic)
#   floor-hummingbird-nio     Hummingbird + a per-event-loop NIO keep-alive pool
#   floor-nio-nio             a NIO channel handler + the same pool, all on the event loop
#   e.g. TARGETS="direct nginx shepherd floor-hummingbird-ahc floor-nio-nio" Benchmarks/proxy-load.sh
# Optional peer (not run by default): `litellm`, LiteLLM's proxy (pip's `litellm[proxy]`, installed
# into a virtual environment in .build-litellm the first time, about a minute) with one model entry
# pointing at the static upstream, started as its documentation shows (`litellm --config`, one
# worker), with no master key (loopback only, as `shepherd serve` runs here without client keys).
# Targets (PASS/FAIL; the script exits 0 either way, non-zero only when a step broke):
#   shepherd req/s ≥ 0.5 × nginx req/s at 256 connections
#   shepherd p50 − direct p50 ≤ 0.5 ms (at low concurrency)
#   shepherd peak RSS (VmHWM) ≤ 64 MB after the 256-connection run
#   shepherd req/s ≥ 100 × LiteLLM req/s (issue #13), when the run includes `litellm`
#
# Usage (from anywhere; installs nginx and wrk from Debian's packages when missing, as root):
#   Benchmarks/proxy-load.sh
# Environment (all optional):
#   CONNECTIONS=256 THREADS=2 DURATION=10s WARMUP=2s     the load run
#   LAT_CONNECTIONS=1 LAT_DURATION=5s                    the latency run (LAT_DURATION=0 skips it)
#   USERS=1000                                           distinct `user` values in the bodies
#   NGINX_WORKERS=auto                                    worker_processes of each nginx
#   SHEPHERD_BIN=path                                    use this binary instead of building one
#   SCRATCH_PATH=.build                                  swift build --scratch-path for the release build
#   SHEPHERD_LOG_LEVEL=                                  passed as --log-level when set
#   TARGETS="direct nginx shepherd"                      which targets to run (floor-* above too)
#   FLOOR_SCRATCH_PATH=.build-floor                      swift build --scratch-path for proxy-floor
#   KEEP_LOGS=1                                          keep the temporary directory (logs, raw wrk output)
#   LITELLM_VENV=.build-litellm                          where the `litellm` target's virtual environment lives
# Everything listens on 127.0.0.1 only; every process started here is stopped on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
LAT_CONNECTIONS=${LAT_CONNECTIONS:-1}
LAT_DURATION=${LAT_DURATION:-5s}
USERS=${USERS:-1000}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
SCRATCH_PATH=${SCRATCH_PATH:-.build}
SHEPHERD_LOG_LEVEL=${SHEPHERD_LOG_LEVEL:-}
TARGETS=${TARGETS:-direct nginx shepherd}
FLOOR_SCRATCH_PATH=${FLOOR_SCRATCH_PATH:-.build-floor}
FLOOR_MODES="hummingbird-static hummingbird-ahc hummingbird-nio nio-nio"
KEEP_LOGS=${KEEP_LOGS:-0}
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
LITELLM_VENV=${LITELLM_VENV:-$ROOT/.build-litellm}

TPL_DIR="$ROOT/Benchmarks/nginx"

# shellcheck source=common.sh
. "$ROOT/Benchmarks/common.sh"

# ---------------------------------------------------------------------------- tools
need_install=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_install+=(nginx)
command -v wrk >/dev/null 2>&1 || need_install+=(wrk)
command -v curl >/dev/null 2>&1 || need_install+=(curl)
install_missing "${need_install[@]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found after installing"

# ---------------------------------------------------------------------------- work directory
make_work proxy-load

BODY='{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-0"}'

# Wait until POST /v1/chat/completions on the port answers 200 (bounded: 20 s), while the process lives.
wait_ready() {
    local name=$1 port=$2 pid=$3 path=${4:-/v1/chat/completions}
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (see its log above)"
        local code
        if [ "$path" = "/v1/chat/completions" ]; then
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'Content-Type: application/json' \
                -d "$BODY" "http://127.0.0.1:$port$path" || true)
        else
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port$path" || true)
        fi
        [ "$code" = "200" ] && return 0
        sleep 0.1
    done
    die "$name did not answer 200 on 127.0.0.1:$port$path within 20 s"
}

render() { # template output port upstream_port
    sed -e "s|@PREFIX@|$WORK|g" -e "s|@PORT@|$3|g" -e "s|@UPSTREAM_PORT@|${4:-}|g" \
        -e "s|@WORKERS@|$NGINX_WORKERS|g" "$1" >"$2"
}

# The wrk script: POST bodies with USERS different `user` values, prepared once per thread;
# done() prints one machine-readable RESULT line.
cat >"$WORK/chat.lua" <<EOF
local reqs, n, i = {}, $USERS, 0
local thread_id = 0

function setup(thread)
    thread:set("thread_id", thread_id)
    thread_id = thread_id + 1
end

function init(args)
    for u = 1, n do
        local body = string.format(
            '{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-%d"}', u)
        reqs[u] = wrk.format("POST", "/v1/chat/completions", {["Content-Type"] = "application/json"}, body)
    end
    i = ((thread_id or 0) * 7919) % n
end

function request()
    i = i % n + 1
    return reqs[i]
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d status_errors=%d socket_errors=%d\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
        latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

# run_wrk label port threads connections duration → prints the RESULT fields as "k=v ..."
run_wrk() {
    local label=$1 port=$2 threads=$3 conns=$4 dur=$5
    local out="$WORK/wrk-$label.txt"
    if ! timeout 300 wrk -t"$threads" -c"$conns" -d"$dur" --timeout "$WRK_TIMEOUT" --latency \
        -s "$WORK/chat.lua" "http://127.0.0.1:$port" >"$out" 2>&1; then
        cat "$out" >&2
        die "wrk failed for $label"
    fi
    grep '^RESULT ' "$out" | tail -1 | cut -d' ' -f2- || die "no RESULT line from wrk for $label"
}

field() { # "k=v k=v" key
    printf '%s\n' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'
}

# Per target: rps, p50, p99 (ms) at load; p50, p99 at low concurrency; errors.
declare -A RPS P50 P99 LP50 LP99 ERRS

measure() { # name port
    local name=$1 port=$2
    log "$name: warm-up ${WARMUP} at ${CONNECTIONS} connections"
    run_wrk "$name-warmup" "$port" "$THREADS" "$CONNECTIONS" "$WARMUP" >/dev/null
    log "$name: load run ${DURATION}, ${THREADS} threads, ${CONNECTIONS} connections"
    local r
    r=$(run_wrk "$name-load" "$port" "$THREADS" "$CONNECTIONS" "$DURATION")
    local req dus
    req=$(field "$r" requests)
    dus=$(field "$r" duration_us)
    RPS[$name]=$(awk -v n="$req" -v d="$dus" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
    P50[$name]=$(awk -v v="$(field "$r" p50_us)" 'BEGIN { printf "%.3f", v / 1000 }')
    P99[$name]=$(awk -v v="$(field "$r" p99_us)" 'BEGIN { printf "%.3f", v / 1000 }')
    local errs=$(($(field "$r" status_errors) + $(field "$r" socket_errors)))
    log "$name: ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, non-2xx/socket errors $errs"
    if [ "$LAT_DURATION" != "0" ]; then
        local lt=1
        [ "$LAT_CONNECTIONS" -lt "$THREADS" ] || lt=$THREADS
        log "$name: latency run ${LAT_DURATION}, ${LAT_CONNECTIONS} connection(s)"
        r=$(run_wrk "$name-latency" "$port" "$lt" "$LAT_CONNECTIONS" "$LAT_DURATION")
        LP50[$name]=$(awk -v v="$(field "$r" p50_us)" 'BEGIN { printf "%.3f", v / 1000 }')
        LP99[$name]=$(awk -v v="$(field "$r" p99_us)" 'BEGIN { printf "%.3f", v / 1000 }')
        errs=$((errs + $(field "$r" status_errors) + $(field "$r" socket_errors)))
        log "$name: p50 ${LP50[$name]} ms, p99 ${LP99[$name]} ms at ${LAT_CONNECTIONS} connection(s)"
    fi
    ERRS[$name]=$errs
}

wants() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------------------- shepherd binary
if wants shepherd; then
    shepherd_binary
fi

# ---------------------------------------------------------------------------- proxy-floor binary
wants_floor() { local m; for m in $FLOOR_MODES; do wants "floor-$m" && return 0; done; return 1; }
if wants_floor; then
    FLOOR_BIN=$(load_tool_binary proxy-floor "$FLOOR_SCRATCH_PATH")
fi

# ---------------------------------------------------------------------------- static upstream
note_load
UPSTREAM_PORT=$(free_port)
render "$TPL_DIR/upstream.conf.template" "$WORK/upstream.conf" "$UPSTREAM_PORT"
start_nginx upstream "$WORK/upstream.conf"
UPSTREAM_PID=$LAST_PID
wait_ready "static upstream (nginx)" "$UPSTREAM_PORT" "$UPSTREAM_PID"
log "static upstream on 127.0.0.1:$UPSTREAM_PORT (nginx $("$NGINX" -v 2>&1 | sed 's|.*nginx/||'), $NGINX_WORKERS worker(s))"

if wants direct; then
    measure direct "$UPSTREAM_PORT"
fi

# ---------------------------------------------------------------------------- nginx split_clients
if wants nginx; then
    SPLIT_PORT=$(free_port)
    render "$TPL_DIR/split.conf.template" "$WORK/split.conf" "$SPLIT_PORT" "$UPSTREAM_PORT"
    start_nginx split "$WORK/split.conf"
    SPLIT_PID=$LAST_PID
    wait_ready "nginx split_clients" "$SPLIT_PORT" "$SPLIT_PID"
    log "nginx split_clients on 127.0.0.1:$SPLIT_PORT"
    measure nginx "$SPLIT_PORT"
    stop_pid "$SPLIT_PID"
fi

# ---------------------------------------------------------------------------- shepherd serve
SHEPHERD_RSS_KB=""
if wants shepherd; then
    SHEPHERD_PORT=$(free_port)
    args=(serve --listen "127.0.0.1:$SHEPHERD_PORT"
        --legacy-url "http://127.0.0.1:$UPSTREAM_PORT/v1" --legacy-flavor openai
        --relay-url "http://127.0.0.1:$UPSTREAM_PORT/v1" --relay-flavor openai
        --policy "$ROOT/policies/default.yaml" --state "$WORK/state.sqlite")
    [ -z "$SHEPHERD_LOG_LEVEL" ] || args+=(--log-level "$SHEPHERD_LOG_LEVEL")
    log "starting: $SHEPHERD_BIN ${args[*]}"
    # Started from the temporary directory, so that no ./shepherd.yaml (an operator's configuration)
    # is read; the environment's rollback switch and client keys are left out.
    (cd "$WORK" && exec env -u SHEPHERD_ROLLBACK -u SHEPHERD_CLIENT_KEYS "$SHEPHERD_BIN" "${args[@]}") \
        >"$WORK/shepherd.log" 2>&1 &
    SHEPHERD_PID=$!
    PIDS+=("$SHEPHERD_PID")
    if ! (wait_ready "shepherd serve" "$SHEPHERD_PORT" "$SHEPHERD_PID" /healthz &&
        wait_ready "shepherd serve" "$SHEPHERD_PORT" "$SHEPHERD_PID"); then
        tail -40 "$WORK/shepherd.log" >&2
        die "shepherd serve did not become ready"
    fi
    path_header=$(curl -s -D - -o /dev/null --max-time 5 -H 'Content-Type: application/json' -d "$BODY" \
        "http://127.0.0.1:$SHEPHERD_PORT/v1/chat/completions" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-shepherd-path" { print $2 }')
    log "shepherd serve on 127.0.0.1:$SHEPHERD_PORT (x-shepherd-path: ${path_header:-none})"
    measure shepherd "$SHEPHERD_PORT"
    SHEPHERD_RSS_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SHEPHERD_PID/status" 2>/dev/null || true)
    kill -0 "$SHEPHERD_PID" 2>/dev/null || { tail -40 "$WORK/shepherd.log" >&2; die "shepherd serve died during the run"; }
    stop_pid "$SHEPHERD_PID"
fi

# ---------------------------------------------------------------------------- proxy floors
for mode in $FLOOR_MODES; do
    wants "floor-$mode" || continue
    FLOOR_PORT=$(free_port)
    "$FLOOR_BIN" "$mode" "$FLOOR_PORT" "$UPSTREAM_PORT" >"$WORK/floor-$mode.log" 2>&1 &
    FLOOR_PID=$!
    PIDS+=("$FLOOR_PID")
    wait_ready "proxy-floor $mode" "$FLOOR_PORT" "$FLOOR_PID"
    log "proxy-floor $mode on 127.0.0.1:$FLOOR_PORT"
    measure "floor-$mode" "$FLOOR_PORT"
    stop_pid "$FLOOR_PID"
done

# ---------------------------------------------------------------------------- LiteLLM's proxy
if wants litellm; then
    if [ ! -x "$LITELLM_VENV/bin/litellm" ]; then
        log "installing litellm[proxy] into $LITELLM_VENV (pip, once)"
        python3 -m venv "$LITELLM_VENV" || die "python3 -m venv failed"
        "$LITELLM_VENV/bin/pip" install -q --disable-pip-version-check 'litellm[proxy]' || die "pip install litellm[proxy] failed"
    fi
    LITELLM_PORT=$(free_port)
    cat >"$WORK/litellm.yaml" <<YAML
model_list:
  - model_name: gpt-4.1
    litellm_params:
      model: openai/gpt-4.1
      api_base: http://127.0.0.1:$UPSTREAM_PORT/v1
      api_key: sk-unused
YAML
    (cd "$WORK" && exec env LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY=true LITELLM_TELEMETRY=False \
        "$LITELLM_VENV/bin/litellm" --config "$WORK/litellm.yaml" --host 127.0.0.1 --port "$LITELLM_PORT") \
        >"$WORK/litellm.log" 2>&1 &
    LITELLM_PID=$!
    PIDS+=("$LITELLM_PID")
    if ! (wait_ready "litellm" "$LITELLM_PORT" "$LITELLM_PID"); then
        tail -40 "$WORK/litellm.log" >&2
        die "litellm did not become ready"
    fi
    log "litellm $("$LITELLM_VENV/bin/pip" show litellm 2>/dev/null | awk '/^Version:/ { print $2 }') on 127.0.0.1:$LITELLM_PORT"
    measure litellm "$LITELLM_PORT"
    stop_pid "$LITELLM_PID"
fi

stop_pid "$UPSTREAM_PID"

# ---------------------------------------------------------------------------- report
echo
echo "proxy-load: loopback, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (latency run: -c$LAT_CONNECTIONS -d$LAT_DURATION)," \
    "$(nproc) cores, nginx workers $NGINX_WORKERS, load average at start $LOAD_AT_START"
printf '%-26s %8s %10s %10s %14s %14s %8s\n' target "req/s" "p50 ms" "p99 ms" "p50 ms (c$LAT_CONNECTIONS)" "p99 ms (c$LAT_CONNECTIONS)" errors
for t in direct nginx shepherd litellm $(for m in $FLOOR_MODES; do echo "floor-$m"; done); do
    wants "$t" || continue
    printf '%-26s %8s %10s %10s %14s %14s %8s\n' "$t" "${RPS[$t]}" "${P50[$t]}" "${P99[$t]}" \
        "${LP50[$t]:--}" "${LP99[$t]:--}" "${ERRS[$t]}"
done
if wants nginx && wants_floor; then
    echo
    for m in $FLOOR_MODES; do
        wants "floor-$m" || continue
        printf 'info floor-%s/nginx = %s× (a proxy with no logic on that stack)\n' "$m" \
            "$(awk -v s="${RPS[floor-$m]}" -v n="${RPS[nginx]}" 'BEGIN { printf "%.2f", s / n }')"
    done
fi

if wants shepherd; then
    echo
    verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
    if wants nginx; then
        ratio=$(awk -v s="${RPS[shepherd]}" -v n="${RPS[nginx]}" 'BEGIN { printf "%.2f", s / n }')
        ok=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5) ? 1 : 0 }')
        printf '%-4s throughput: shepherd/nginx = %s× (target ≥ 0.50×)\n' "$(verdict "$ok")" "$ratio"
    fi
    if wants direct; then
        if [ "$LAT_DURATION" != "0" ]; then
            added=$(awk -v s="${LP50[shepherd]}" -v d="${LP50[direct]}" 'BEGIN { printf "%.3f", s - d }')
            ok=$(awk -v a="$added" 'BEGIN { print (a <= 0.5) ? 1 : 0 }')
            printf '%-4s added p50 over direct at %s connection(s): %s ms (target ≤ 0.5 ms)\n' "$(verdict "$ok")" \
                "$LAT_CONNECTIONS" "$added"
        fi
        loaded="shepherd +$(awk -v s="${P50[shepherd]}" -v d="${P50[direct]}" 'BEGIN { printf "%.3f", s - d }') ms"
        if wants nginx; then
            loaded="$loaded, nginx +$(awk -v s="${P50[nginx]}" -v d="${P50[direct]}" 'BEGIN { printf "%.3f", s - d }') ms"
        fi
        printf 'info p50 over direct at %s connections, full load: %s (at saturation p50 is mostly\n' \
            "$CONNECTIONS" "$loaded"
        echo "     queueing, about connections ÷ req/s: the latency target is judged at low concurrency)"
    fi
    if wants litellm; then
        ratio=$(awk -v s="${RPS[shepherd]}" -v l="${RPS[litellm]}" 'BEGIN { printf "%.1f", s / l }')
        ok=$(awk -v r="$ratio" 'BEGIN { print (r >= 100) ? 1 : 0 }')
        printf '%-4s throughput: shepherd/litellm = %s× (target ≥ 100×)\n' "$(verdict "$ok")" "$ratio"
    fi
    if [ -n "$SHEPHERD_RSS_KB" ]; then
        rss_mb=$(awk -v k="$SHEPHERD_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
        ok=$(awk -v k="$SHEPHERD_RSS_KB" 'BEGIN { print (k <= 64 * 1024) ? 1 : 0 }')
        printf '%-4s peak RSS (VmHWM) at %s connections: %s MB (target ≤ 64 MB)\n' "$(verdict "$ok")" "$CONNECTIONS" "$rss_mb"
    else
        echo "FAIL peak RSS: could not read VmHWM from /proc/$SHEPHERD_PID/status"
    fi
fi
