#!/usr/bin/env bash
# Benchmarks/stream-load.sh: the proxy's cost under LLM-shaped load, long streams (issue #13).
#
# One run measures, against one streaming upstream (Benchmarks/LoadTools `stream-load upstream`,
# SwiftNIO only, not Shepherd's mock: POST /v1/chat/completions with "stream":true answers
# STREAM_CHUNKS OpenAI chat.completion.chunk events INTERVAL_MS apart, a stop event, a usage event
# when the body asks include_usage, then data: [DONE]), for each concurrency in CONCURRENCY:
#   direct       client → upstream
#   nginx        client → nginx (proxy_buffering off, HTTP/1.1 keep-alive pool) → upstream
#   shepherd     client → `shepherd serve` (release build, its defaults; legacy and relay both
#                openai-compatible at the upstream) → upstream
#   floor        (optional) client → `proxy-floor hummingbird-ahc-stream` (Benchmarks/LoadTools): Hummingbird
#                and AsyncHTTPClient passing the answer's body through with no logic at all, Shepherd's
#                stack without Shepherd's work: what the stack itself costs per chunk and per stream
#   shepherd-h2  (optional) client → shepherd → nginx (TLS, HTTP/2, self-signed certificate that
#                shepherd trusts through --legacy-ca-file/--relay-ca-file) → upstream
# The client (`stream-load client`, SwiftNIO) holds C streams open: each of C virtual clients owns
# one keep-alive connection, sends a streaming request ("stream":true), reads it to [DONE] and sends
# the next. After WARMUP seconds it counts DURATION seconds: streams completed and failed (status
# ≠ 200, cut, no [DONE], connect error, STREAM_TIMEOUT), chunks, time to first chunk (request sent →
# first data: event) and the gaps between a stream's chunks. Each proxy is started anew for each
# concurrency; the client reads the proxy's /proc/PID/stat (utime+stime over the window ÷ chunks
# received = CPU µs per relayed chunk; for direct, the upstream's) and /proc/PID/status VmRSS before
# the load and at the window's middle, when C streams are open (the open count is shown):
# (during − before) ÷ C = RSS per open stream. nginx's figures sum its master and workers.
# Targets (PASS/FAIL; the script exits 0 either way, non-zero only when a step broke):
#   at 500:   shepherd completes ≥ 97% of direct's streams, adds ≤ 10 ms to ttfc p99,
#             costs ≤ 15 µs CPU per chunk
#   at 2000:  shepherd holds ≤ 32 KB RSS per open stream, and no stream fails
#
# HTTP/2 (shepherd-h2, issue #13 item 2). AsyncHTTPClient 1.37.0 keeps at most one HTTP/2 connection per
# event loop, and a request that names no event loop (Shepherd's `.indifferent`) opens none while any
# connection of the pool exists or is starting: when all its streams are busy it waits in the pool's queue
# (HTTPConnectionPool+HTTP2StateMachine.swift, executeRequest(_:onPreferred:), case 3 "we already have a
# connection, we just need to wait"; HTTP2Connections.createNewConnection: "we should not create more than
# one connection per event loop"), here until the 3 s connect timeout answers 504; its
# concurrentHTTP1ConnectionsPerHostSoftLimit (Shepherd's maxConnections) bounds HTTP/1.1 connections only.
# Measured on the baseline (2 cores): nginx saw 2 TLS connections (legacy's client and relay's) at 500 and
# at 2,000 streams, and with SHEPHERD_MAX_CONNECTIONS=4096 shepherd completed 96% of direct's streams at 500
# over HTTP/1.1 but 37% over HTTP/2 (ttfc p99 3.3 s, 277 failed), as little as with the default 128-connection
# HTTP/1.1 pool; so Shepherd's default should be HTTP/1.1 to its upstreams (httpVersion .http1Only) with
# maxConnections sized to the streams it admits, not 128, and HTTP/2 only when asked for, over several
# clients (connections) per path. Shepherd does so now: HTTP/1.1 unless a path says `http2: true`
# (SHEPHERD_HTTP2=1 here), and 4096 connections per path.
#
# Usage (from anywhere; installs nginx, curl and openssl from Debian's packages when missing, as root):
#   Benchmarks/stream-load.sh
#   TARGETS="direct nginx shepherd shepherd-h2" Benchmarks/stream-load.sh
#   TARGETS="direct nginx floor shepherd" Benchmarks/stream-load.sh
# Environment (all optional):
#   CONCURRENCY="500 2000"        concurrent streams, one run per value and target
#   DURATION=20 WARMUP=3          seconds counted, and seconds before counting (connections open)
#   STREAM_CHUNKS=20 INTERVAL_MS=50   one stream: 20 content chunks 50 ms apart (about 1.05 s)
#   STREAM_TIMEOUT=60             seconds a stream may take before it counts as failed
#   RETRY_PAUSE_MS=100            a virtual client's pause after a failed stream or connect
#   TARGETS="direct nginx shepherd"   which paths to run (floor and shepherd-h2 too)
#   H2_MAX_STREAMS=128            nginx's http2_max_concurrent_streams for shepherd-h2
#   NGINX_WORKERS=auto            worker_processes of each nginx
#   UPSTREAM_THREADS=2 CLIENT_THREADS=2   event loops of the upstream and of the client
#   NOFILE=20000                  open-file limit asked for (ulimit -n; at least 2 × C + 256 needed)
#   SHEPHERD_BIN=path             use this binary instead of building one
#   SCRATCH_PATH=.build           swift build --scratch-path for shepherd's release build
#   STREAM_LOAD_SCRATCH_PATH=.build-streamload   the same for Benchmarks/LoadTools (stream-load)
#   SHEPHERD_LOG_LEVEL=           passed as --log-level when set
#   SHEPHERD_MAX_CONNECTIONS=     legacy and relay maxConnections (a --config file); unset: Shepherd's default
#   SHEPHERD_HTTP2=0              1: legacy and relay `http2: true` (Shepherd speaks HTTP/1.1 to upstreams unless
#                                 asked; shepherd-h2 then measures HTTP/2 itself rather than TLS to an h2 server)
#   FLOOR_MODE=hummingbird-ahc-stream   the proxy-floor mode of the floor target
#                                 (hummingbird-ahc-direct-stream: the delegate API writing into the channel)
#   KEEP_LOGS=1                   keep the temporary directory (logs, the client's JSON lines)
# Everything listens on 127.0.0.1 only; every process started here is stopped on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

CONCURRENCY=${CONCURRENCY:-500 2000}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
STREAM_CHUNKS=${STREAM_CHUNKS:-20}
INTERVAL_MS=${INTERVAL_MS:-50}
STREAM_TIMEOUT=${STREAM_TIMEOUT:-60}
RETRY_PAUSE_MS=${RETRY_PAUSE_MS:-100}
TARGETS=${TARGETS:-direct nginx shepherd}
H2_MAX_STREAMS=${H2_MAX_STREAMS:-128}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
UPSTREAM_THREADS=${UPSTREAM_THREADS:-2}
CLIENT_THREADS=${CLIENT_THREADS:-2}
NOFILE=${NOFILE:-20000}
SCRATCH_PATH=${SCRATCH_PATH:-.build}
STREAM_LOAD_SCRATCH_PATH=${STREAM_LOAD_SCRATCH_PATH:-.build-streamload}
SHEPHERD_LOG_LEVEL=${SHEPHERD_LOG_LEVEL:-}
SHEPHERD_MAX_CONNECTIONS=${SHEPHERD_MAX_CONNECTIONS:-}
SHEPHERD_HTTP2=${SHEPHERD_HTTP2:-0}
FLOOR_MODE=${FLOOR_MODE:-hummingbird-ahc-stream}
KEEP_LOGS=${KEEP_LOGS:-0}

TPL_DIR="$ROOT/Benchmarks/nginx"
ALL_TARGETS="direct nginx floor shepherd shepherd-h2"

# shellcheck source=common.sh
. "$ROOT/Benchmarks/common.sh"
wants() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

for t in $TARGETS; do
    case " $ALL_TARGETS " in *" $t "*) ;; *) die "unknown target $t (known: $ALL_TARGETS)" ;; esac
done
for c in $CONCURRENCY; do
    [[ "$c" =~ ^[0-9]+$ ]] && [ "$c" -gt 0 ] || die "CONCURRENCY holds $c, not a positive number"
done

# ---------------------------------------------------------------------------- tools
need_install=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_install+=(nginx)
command -v curl >/dev/null 2>&1 || need_install+=(curl)
command -v ss >/dev/null 2>&1 || need_install+=(iproute2)
command -v pgrep >/dev/null 2>&1 || need_install+=(procps)
if wants shepherd-h2; then command -v openssl >/dev/null 2>&1 || need_install+=(openssl); fi
install_missing "${need_install[@]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found after installing"

# Every stream holds a client socket and, through a proxy, a proxy socket on each side.
MAX_C=0
for c in $CONCURRENCY; do [ "$c" -le "$MAX_C" ] || MAX_C=$c; done
HARD=$(ulimit -Hn)
want=$NOFILE
[ "$HARD" = "unlimited" ] || [ "$HARD" -ge "$want" ] || want=$HARD
ulimit -n "$want" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((2 * MAX_C + 256)) ] ||
    die "open-file limit $(ulimit -n) is below 2 × $MAX_C + 256 (raise the hard limit, or lower CONCURRENCY)"

# ---------------------------------------------------------------------------- work directory
make_work stream-load

STREAM_BODY='{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-0","stream":true}'

# Wait until the URL answers 200 (bounded: 20 s) while the process lives; with a body, a streaming
# POST that must also end in data: [DONE].
wait_ready() { # name url pid [body]
    local name=$1 url=$2 pid=$3 body=${4:-}
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (see its log in $WORK)"
        local code
        if [ -n "$body" ]; then
            code=$(curl -sk --http1.1 -o "$WORK/ready.out" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
                -d "$body" "$url" || true)
            [ "$code" = "200" ] && grep -q '^data: \[DONE\]' "$WORK/ready.out" && return 0
        else
            code=$(curl -sk --http1.1 -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
            [ "$code" = "200" ] && return 0
        fi
        sleep 0.1
    done
    die "$name did not answer 200 on $url within 20 s"
}

render() { # template output port
    sed -e "s|@PREFIX@|$WORK|g" -e "s|@PORT@|$3|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" \
        -e "s|@WORKERS@|$NGINX_WORKERS|g" -e "s|@KEEPALIVE@|$((MAX_C + 64))|g" \
        -e "s|@H2_STREAMS@|$H2_MAX_STREAMS|g" -e "s|@HTTP2_LISTEN@|$HTTP2_LISTEN|g" \
        -e "s|@HTTP2_ON@|$HTTP2_ON|g" "$1" >"$2"
}

# nginx's master and its workers (the workers start a moment after the master).
nginx_pids() { # master
    local workers=""
    for _ in $(seq 1 50); do
        workers=$(pgrep -P "$1" | tr '\n' ' ' || true)
        [ -n "$workers" ] && break
        sleep 0.1
    done
    echo "$1 $workers"
}

# `listen ... ssl http2` until nginx 1.25.1, `http2 on;` from then on.
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')
if [ "$(printf '%s\n%s\n' "$NGINX_VERSION" 1.25.1 | sort -V | head -1)" = "1.25.1" ]; then
    HTTP2_LISTEN="" HTTP2_ON="http2 on;"
else
    HTTP2_LISTEN="http2" HTTP2_ON=""
fi

jget() { # json key → value (flat JSON line from stream-load client)
    printf '%s\n' "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" | tr -d '"'
}

# ---------------------------------------------------------------------------- binaries
if wants shepherd || wants shepherd-h2; then
    shepherd_binary
fi

STREAM_LOAD=$(load_tool_binary stream-load "$STREAM_LOAD_SCRATCH_PATH")
if wants floor; then PROXY_FLOOR=$(load_tool_binary proxy-floor "$STREAM_LOAD_SCRATCH_PATH"); fi

# ---------------------------------------------------------------------------- TLS for shepherd-h2
if wants shepherd-h2; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -keyout "$WORK/h2-key.pem" -out "$WORK/h2-cert.pem" -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$WORK/openssl.log" 2>&1 ||
        { cat "$WORK/openssl.log" >&2; die "openssl could not make the self-signed certificate"; }
    chmod 644 "$WORK/h2-key.pem"
fi

# ---------------------------------------------------------------------------- upstream
note_load
UPSTREAM_PORT=$(free_port)
"$STREAM_LOAD" upstream --port "$UPSTREAM_PORT" --chunks "$STREAM_CHUNKS" --interval-ms "$INTERVAL_MS" \
    --threads "$UPSTREAM_THREADS" >"$WORK/upstream.log" 2>&1 &
UPSTREAM_PID=$!
PIDS+=("$UPSTREAM_PID")
wait_ready "stream-load upstream" "http://127.0.0.1:$UPSTREAM_PORT/v1/models" "$UPSTREAM_PID"
wait_ready "stream-load upstream" "http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions" "$UPSTREAM_PID" "$STREAM_BODY"
log "upstream on 127.0.0.1:$UPSTREAM_PORT: $STREAM_CHUNKS chunks $INTERVAL_MS ms apart; open-file limit $(ulimit -n)"

# ---------------------------------------------------------------------------- one run
declare -A RESULT H2_SS H2_CONNS H2_PROTO

# run_client target concurrency port pids... → RESULT[target/c] = the client's JSON line
run_client() {
    local target=$1 c=$2 port=$3
    shift 3
    local watch=()
    for pid in "$@"; do watch+=(--watch-pid "$pid"); done
    local out="$WORK/client-$target-$c.json"
    log "$target at $c streams: ${WARMUP}s warm-up, ${DURATION}s counted"
    if ! timeout $((WARMUP + DURATION + 120)) "$STREAM_LOAD" client --port "$port" --concurrency "$c" \
        --duration "$DURATION" --warmup "$WARMUP" --timeout "$STREAM_TIMEOUT" --retry-pause-ms "$RETRY_PAUSE_MS" --threads "$CLIENT_THREADS" \
        --label "$target" "${watch[@]}" >"$out" 2>"$WORK/client-$target-$c.err"; then
        cat "$WORK/client-$target-$c.err" >&2
        die "the load client failed for $target at $c"
    fi
    local line
    line=$(grep '^{' "$out" | tail -1) || die "no JSON line from the load client for $target at $c"
    RESULT[$target/$c]=$line
    log "$target at $c: completed $(jget "$line" completed), failed $(jget "$line" failed) $(jget "$line" failed_statuses)," \
        "ttfc p50/p99 $(jget "$line" ttfc_p50_ms)/$(jget "$line" ttfc_p99_ms) ms, gap p99 $(jget "$line" gap_p99_ms) ms," \
        "$(jget "$line" cpu_us_per_chunk) µs CPU/chunk, RSS $(jget "$line" rss_before_kb) → $(jget "$line" rss_during_kb) KB" \
        "with $(jget "$line" open_at_sample) open"
}

start_shepherd() { # name url [extra args...] → sets SHEPHERD_PID, SHEPHERD_PORT
    local name=$1 url=$2
    shift 2
    SHEPHERD_PORT=$(free_port)
    local args=(serve --listen "127.0.0.1:$SHEPHERD_PORT"
        --legacy-url "$url" --legacy-flavor openai
        --relay-url "$url" --relay-flavor openai
        --policy "$ROOT/policies/default.yaml" --state "$WORK/state-$name.sqlite" "$@")
    [ -z "$SHEPHERD_LOG_LEVEL" ] || args+=(--log-level "$SHEPHERD_LOG_LEVEL")
    if [ -n "$SHEPHERD_MAX_CONNECTIONS" ] || [ "$SHEPHERD_HTTP2" = 1 ]; then
        : >"$WORK/shepherd-pool.yaml"
        for path in legacy relay; do
            echo "$path:" >>"$WORK/shepherd-pool.yaml"
            [ -z "$SHEPHERD_MAX_CONNECTIONS" ] || echo "  maxConnections: $SHEPHERD_MAX_CONNECTIONS" >>"$WORK/shepherd-pool.yaml"
            [ "$SHEPHERD_HTTP2" != 1 ] || echo "  http2: true" >>"$WORK/shepherd-pool.yaml"
        done
        args+=(--config "$WORK/shepherd-pool.yaml")
    fi
    log "starting: $SHEPHERD_BIN ${args[*]}"
    # Started from the temporary directory, so that no ./shepherd.yaml (an operator's configuration)
    # is read; the environment's rollback switch, client keys and CA bundle are left out.
    (cd "$WORK" && exec env -u SHEPHERD_ROLLBACK -u SHEPHERD_CLIENT_KEYS -u SSL_CERT_FILE \
        -u HTTPS_PROXY -u HTTP_PROXY -u https_proxy -u http_proxy "$SHEPHERD_BIN" "${args[@]}") \
        >"$WORK/$name.log" 2>&1 &
    SHEPHERD_PID=$!
    PIDS+=("$SHEPHERD_PID")
    if ! (wait_ready "shepherd serve" "http://127.0.0.1:$SHEPHERD_PORT/healthz" "$SHEPHERD_PID" &&
        wait_ready "shepherd serve" "http://127.0.0.1:$SHEPHERD_PORT/v1/chat/completions" "$SHEPHERD_PID" \
            "$STREAM_BODY"); then
        tail -40 "$WORK/$name.log" >&2
        die "shepherd serve did not become ready"
    fi
}

check_alive() { # name pid log
    kill -0 "$2" 2>/dev/null || { tail -40 "$3" >&2; die "$1 died during the run"; }
}

for c in $CONCURRENCY; do
    if wants direct; then
        run_client direct "$c" "$UPSTREAM_PORT" "$UPSTREAM_PID"
        check_alive "the upstream" "$UPSTREAM_PID" "$WORK/upstream.log"
    fi

    if wants nginx; then
        port=$(free_port)
        render "$TPL_DIR/stream-proxy.conf.template" "$WORK/stream-proxy-$c.conf" "$port"
        start_nginx "stream-proxy-$c" "$WORK/stream-proxy-$c.conf"
        pid=$LAST_PID
        wait_ready "nginx" "http://127.0.0.1:$port/v1/models" "$pid"
        wait_ready "nginx" "http://127.0.0.1:$port/v1/chat/completions" "$pid" "$STREAM_BODY"
        # shellcheck disable=SC2046
        run_client nginx "$c" "$port" $(nginx_pids "$pid")
        check_alive nginx "$pid" "$WORK/stream-proxy-$c-error.log"
        stop_pid "$pid"
    fi

    if wants floor; then
        port=$(free_port)
        "$PROXY_FLOOR" "$FLOOR_MODE" "$port" "$UPSTREAM_PORT" >"$WORK/floor-$c.log" 2>&1 &
        pid=$!
        PIDS+=("$pid")
        wait_ready "proxy-floor" "http://127.0.0.1:$port/v1/chat/completions" "$pid" "$STREAM_BODY"
        run_client floor "$c" "$port" "$pid"
        check_alive "proxy-floor" "$pid" "$WORK/floor-$c.log"
        stop_pid "$pid"
    fi

    if wants shepherd; then
        start_shepherd "shepherd-$c" "http://127.0.0.1:$UPSTREAM_PORT/v1"
        run_client shepherd "$c" "$SHEPHERD_PORT" "$SHEPHERD_PID"
        check_alive "shepherd serve" "$SHEPHERD_PID" "$WORK/shepherd-$c.log"
        stop_pid "$SHEPHERD_PID"
    fi

    if wants shepherd-h2; then
        h2port=$(free_port)
        render "$TPL_DIR/stream-h2.conf.template" "$WORK/stream-h2-$c.conf" "$h2port"
        rm -f "$WORK/stream-h2-access.log"
        start_nginx "stream-h2-$c" "$WORK/stream-h2-$c.conf"
        h2pid=$LAST_PID
        wait_ready "nginx (TLS, HTTP/2)" "https://127.0.0.1:$h2port/v1/models" "$h2pid"
        start_shepherd "shepherd-h2-$c" "https://127.0.0.1:$h2port/v1" \
            --legacy-ca-file "$WORK/h2-cert.pem" --relay-ca-file "$WORK/h2-cert.pem"
        # The TLS connections nginx holds, sampled at the counted window's middle.
        (sleep "$(awk -v w="$WARMUP" -v d="$DURATION" 'BEGIN { print w + d / 2 }')" &&
            ss -Htn state established "( sport = :$h2port )" | wc -l >"$WORK/h2-ss-$c.txt") &
        sampler=$!
        run_client shepherd-h2 "$c" "$SHEPHERD_PORT" "$SHEPHERD_PID"
        wait "$sampler" 2>/dev/null || true
        check_alive "shepherd serve" "$SHEPHERD_PID" "$WORK/shepherd-h2-$c.log"
        check_alive "nginx (TLS, HTTP/2)" "$h2pid" "$WORK/stream-h2-$c-error.log"
        stop_pid "$SHEPHERD_PID"
        stop_pid "$h2pid"
        H2_SS[$c]=$(tr -d ' ' <"$WORK/h2-ss-$c.txt" 2>/dev/null || echo "?")
        # Connections and protocols of the requests nginx served (curl's readiness checks are HTTP/1.1).
        H2_CONNS[$c]=$(awk '$2 == "HTTP/2.0" { seen[$1] = 1 } END { n = 0; for (k in seen) n++; print n }' \
            "$WORK/stream-h2-access.log" 2>/dev/null || echo "?")
        H2_PROTO[$c]=$(awk '{ n[$2]++ } END { s = ""; for (p in n) s = s (s ? ", " : "") p " " n[p]; print s }' \
            "$WORK/stream-h2-access.log" 2>/dev/null || echo "?")
        log "shepherd-h2 at $c: ${H2_SS[$c]} TLS connections at nginx mid-run, ${H2_CONNS[$c]} HTTP/2 connections" \
            "in its log (requests by protocol: ${H2_PROTO[$c]})"
    fi
done

stop_pid "$UPSTREAM_PID"

# ---------------------------------------------------------------------------- report
calc() { awk "BEGIN { $1 }"; }
echo
echo "stream-load: loopback, $(nproc) cores, streams of $STREAM_CHUNKS chunks $INTERVAL_MS ms apart," \
    "${WARMUP}s warm-up + ${DURATION}s counted per run, nginx $NGINX_VERSION (workers $NGINX_WORKERS)," \
    "load average at start $LOAD_AT_START"
echo
echo "| path | streams | completed | % of direct | failed | ttfc p50 ms | ttfc p99 ms | +ttfc p50 ms | +ttfc p99 ms | gap p99 ms | CPU µs/chunk | RSS KB/open stream | open at sample |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for c in $CONCURRENCY; do
    d=${RESULT[direct/$c]:-}
    for t in $ALL_TARGETS; do
        wants "$t" || continue
        r=${RESULT[$t/$c]}
        comp=$(jget "$r" completed)
        share="-" addp50="-" addp99="-"
        if [ -n "$d" ]; then
            share=$(calc "dc = $(jget "$d" completed); if (dc > 0) printf \"%.1f%%\", 100 * $comp / dc; else print \"-\"")
            if [ "$t" != direct ]; then
                addp50=$(calc "printf \"%+.1f\", $(jget "$r" ttfc_p50_ms) - $(jget "$d" ttfc_p50_ms)")
                addp99=$(calc "printf \"%+.1f\", $(jget "$r" ttfc_p99_ms) - $(jget "$d" ttfc_p99_ms)")
            fi
        fi
        rss=$(calc "printf \"%.1f\", ($(jget "$r" rss_during_kb) - $(jget "$r" rss_before_kb)) / $c")
        label=$t
        [ "$t" = direct ] && label="direct (upstream's CPU, RSS)"
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$c" "$comp" "$share" \
            "$(jget "$r" failed)" "$(jget "$r" ttfc_p50_ms)" "$(jget "$r" ttfc_p99_ms)" "$addp50" "$addp99" \
            "$(jget "$r" gap_p99_ms)" "$(calc "printf \"%.1f\", $(jget "$r" cpu_us_per_chunk)")" "$rss" \
            "$(jget "$r" open_at_sample)"
    done
done

echo
for c in $CONCURRENCY; do
    for t in $ALL_TARGETS; do
        wants "$t" || continue
        r=${RESULT[$t/$c]}
        [ "$(jget "$r" failed)" = 0 ] && continue
        printf 'info %s at %s: %s failed: %s status [%s], %s cut, %s without [DONE], %s connect, %s timed out\n' \
            "$t" "$c" "$(jget "$r" failed)" "$(jget "$r" failed_status)" "$(jget "$r" failed_statuses)" \
            "$(jget "$r" failed_cut)" "$(jget "$r" failed_no_done)" "$(jget "$r" failed_connect)" "$(jget "$r" failed_timeout)"
    done
done
if wants shepherd || wants shepherd-h2; then
    echo "info shepherd's upstream pool: maxConnections ${SHEPHERD_MAX_CONNECTIONS:-default}, http2 $([ "$SHEPHERD_HTTP2" = 1 ] && echo allowed || echo "not asked for (default: HTTP/1.1)")"
fi

if wants shepherd-h2; then
    echo
    echo "HTTP/2 (shepherd → nginx TLS h2, http2_max_concurrent_streams $H2_MAX_STREAMS):"
    for c in $CONCURRENCY; do
        r=${RESULT[shepherd-h2/$c]}
        printf 'info shepherd-h2 at %s streams: completed %s, failed %s, ttfc p99 %s ms, TLS connections at nginx mid-run %s,' \
            "$c" "$(jget "$r" completed)" "$(jget "$r" failed)" "$(jget "$r" ttfc_p99_ms)" "${H2_SS[$c]}"
        printf ' HTTP/2 connections in its log %s (requests: %s)\n' "${H2_CONNS[$c]}" "${H2_PROTO[$c]}"
    done
fi

if wants shepherd; then
    echo
    verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
    if case " $CONCURRENCY " in *" 500 "*) true ;; *) false ;; esac; then
        s=${RESULT[shepherd/500]}
        if wants direct; then
            d=${RESULT[direct/500]}
            share=$(calc "dc = $(jget "$d" completed); printf \"%.1f\", (dc > 0 ? 100 * $(jget "$s" completed) / dc : 0)")
            printf '%-4s at 500: shepherd completes %s%% of direct'"'"'s streams (target ≥ 97%%)\n' \
                "$(verdict "$(calc "print ($share >= 97) ? 1 : 0")")" "$share"
            added=$(calc "printf \"%.1f\", $(jget "$s" ttfc_p99_ms) - $(jget "$d" ttfc_p99_ms)")
            printf '%-4s at 500: shepherd adds %s ms to ttfc p99 (target ≤ 10 ms)\n' \
                "$(verdict "$(calc "print ($added <= 10) ? 1 : 0")")" "$added"
        else
            echo "skip at 500: the direct target is needed for the completed-share and ttfc targets"
        fi
        cpu=$(calc "printf \"%.1f\", $(jget "$s" cpu_us_per_chunk)")
        printf '%-4s at 500: shepherd costs %s µs CPU per chunk (target ≤ 15 µs)\n' \
            "$(verdict "$(calc "print ($cpu <= 15) ? 1 : 0")")" "$cpu"
    else
        echo "skip the 500-stream targets: 500 is not in CONCURRENCY"
    fi
    if case " $CONCURRENCY " in *" 2000 "*) true ;; *) false ;; esac; then
        s=${RESULT[shepherd/2000]}
        rss=$(calc "printf \"%.1f\", ($(jget "$s" rss_during_kb) - $(jget "$s" rss_before_kb)) / 2000")
        printf '%-4s at 2000: shepherd holds %s KB RSS per open stream, %s streams open at the sample (target ≤ 32 KB)\n' \
            "$(verdict "$(calc "print ($rss <= 32) ? 1 : 0")")" "$rss" "$(jget "$s" open_at_sample)"
        failed=$(jget "$s" failed)
        printf '%-4s at 2000: %s streams failed (%s status [%s], %s cut, %s without [DONE], %s connect, %s timed out) (target 0)\n' \
            "$(verdict "$([ "$failed" = 0 ] && echo 1 || echo 0)")" "$failed" "$(jget "$s" failed_status)" "$(jget "$s" failed_statuses)" \
            "$(jget "$s" failed_cut)" "$(jget "$s" failed_no_done)" "$(jget "$s" failed_connect)" "$(jget "$s" failed_timeout)"
    else
        echo "skip the 2000-stream targets: 2000 is not in CONCURRENCY"
    fi
fi

# Shepherd's own cost: what it adds over the stack with no logic (floor), per concurrency.
if wants shepherd && wants floor; then
    echo
    for c in $CONCURRENCY; do
        s=${RESULT[shepherd/$c]} f=${RESULT[floor/$c]}
        printf 'info at %s: shepherd over the floor: %s µs CPU per chunk, %s KB RSS per open stream, %s ms ttfc p99\n' \
            "$c" "$(calc "printf \"%+.1f\", $(jget "$s" cpu_us_per_chunk) - $(jget "$f" cpu_us_per_chunk)")" \
            "$(calc "printf \"%+.1f\", (($(jget "$s" rss_during_kb) - $(jget "$s" rss_before_kb)) - ($(jget "$f" rss_during_kb) - $(jget "$f" rss_before_kb))) / $c")" \
            "$(calc "printf \"%+.1f\", $(jget "$s" ttfc_p99_ms) - $(jget "$f" ttfc_p99_ms)")"
    done
fi
