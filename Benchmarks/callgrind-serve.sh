#!/usr/bin/env bash
# Benchmarks/callgrind-serve.sh: the instructions `shepherd serve` executes per call, counted by
# valgrind's callgrind (the same from run to run, where CPU time on this VM drifts by a fifth), next
# to the no-logic floor of its stack (Benchmarks/LoadTools' `proxy-floor hummingbird-ahc-stream`:
# Hummingbird and AsyncHTTPClient passing the body through, nothing else).
#
# One upstream (`stream-load upstream`, chunks INTERVAL_MS apart so that each arrives in a read of
# its own, as under real load) and, per target, one process run under callgrind with instrumentation
# off; then, one phase at a time, instrumentation on, REQUESTS calls (by curl, over CONCURRENCY
# keep-alive connections: a phase's first call on each opens it), instrumentation off, a dump.
# Three phases: a short answer (`"stream":false`), a stream of 1 content chunk and a stream of LONG
# chunks (`"max_tokens":N`, which the upstream honours), so that
#   per chunk  = (Ir of a LONG-chunk stream − Ir of a 1-chunk stream) / (LONG − 1)
#   per stream = Ir of a 1-chunk stream − 1 chunk
# Every call is checked (status 200, and `data: [DONE]` for a stream); WARMUP calls of each kind
# run first uninstrumented (connections, metadata caches, lazily built state).
#
#   Benchmarks/callgrind-serve.sh                      # shepherd and the floor, about 5 minutes
#   SHEPHERD_BIN=.build/release/shepherd TARGETS=shepherd Benchmarks/callgrind-serve.sh
#
# Environment (defaults in brackets):
#   TARGETS="shepherd floor"   what to count
#   REQUESTS=30  CONCURRENCY=1  WARMUP=10  LONG=21  INTERVAL_MS=20
#   SHEPHERD_BIN=path          use this binary instead of building one (a copy is stripped of its
#                              DWARF 5 debug information, which valgrind 3.19 cannot read; the
#                              symbols stay, so functions keep their names)
#   SCRATCH_PATH=.build  STREAM_LOAD_SCRATCH_PATH=.build-streamload   swift build scratch paths
#   KEEP_LOGS=1                keep the temporary directory (callgrind.out files for callgrind_annotate)
#   TOP=0                      N > 0: also print each phase's N costliest functions (exclusive Ir)
#
# Each target runs one event loop (NIO_SINGLETON_GROUP_LOOP_COUNT=1, which NIO's singleton group
# reads): with two, whether a call's upstream connection shares its client connection's loop is a
# coin toss, and the hop between loops when it does not moved the per-chunk figure by a tenth from
# run to run. (`taskset` does not do it: NIO counts cores with sysconf and cgroups, not affinity.)
# Shepherd's default policy ticks its ramp and health work on timers: what of it runs during a
# phase is counted with the phase.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

TARGETS=${TARGETS:-shepherd floor}
REQUESTS=${REQUESTS:-30}
CONCURRENCY=${CONCURRENCY:-1}
WARMUP=${WARMUP:-10}
LONG=${LONG:-21}
INTERVAL_MS=${INTERVAL_MS:-20}
SCRATCH_PATH=${SCRATCH_PATH:-.build}
STREAM_LOAD_SCRATCH_PATH=${STREAM_LOAD_SCRATCH_PATH:-.build-streamload}
KEEP_LOGS=${KEEP_LOGS:-0}
TOP=${TOP:-0}

# shellcheck source=common.sh
. "$ROOT/Benchmarks/common.sh"
wants() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
for t in $TARGETS; do
    case "$t" in shepherd | floor) ;; *) die "unknown target $t (known: shepherd floor)" ;; esac
done
for n in "$REQUESTS" "$CONCURRENCY" "$WARMUP" "$LONG" "$INTERVAL_MS"; do
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "REQUESTS, CONCURRENCY, WARMUP, LONG and INTERVAL_MS must be positive numbers"
done
[ "$LONG" -gt 1 ] || die "LONG must be above 1"
[ $((REQUESTS % CONCURRENCY)) -eq 0 ] && [ $((WARMUP % CONCURRENCY)) -eq 0 ] ||
    die "REQUESTS and WARMUP must be multiples of CONCURRENCY"

need_install=()
command -v valgrind >/dev/null 2>&1 || need_install+=(valgrind)
command -v curl >/dev/null 2>&1 || need_install+=(curl)
command -v strip >/dev/null 2>&1 || need_install+=(binutils)
command -v ss >/dev/null 2>&1 || need_install+=(iproute2)
install_missing "${need_install[@]}"
command -v callgrind_control >/dev/null 2>&1 || die "callgrind_control not found (Debian's valgrind package has it)"

make_work callgrind-serve

if wants shepherd; then shepherd_binary; fi
STREAM_LOAD=$(load_tool_binary stream-load "$STREAM_LOAD_SCRATCH_PATH")
if wants floor; then PROXY_FLOOR=$(load_tool_binary proxy-floor "$STREAM_LOAD_SCRATCH_PATH"); fi

body() { # kind
    case "$1" in
        short) echo '{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-0"}' ;;
        one) echo '{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-0","stream":true,"max_tokens":1}' ;;
        long) echo "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"user\":\"u-0\",\"stream\":true,\"max_tokens\":$LONG}" ;;
    esac
}

# COUNT calls of one kind in one curl, one after the other on one keep-alive connection (as a
# client under load sends them), checked: prints "ok" or what was wrong.
batch() { # port kind count
    local url="http://127.0.0.1:$1/v1/chat/completions" urls=() out ok ended
    for _ in $(seq 1 "$3"); do urls+=("$url"); done
    out=$(curl -sS -N -m 900 -w '\n%{http_code}\n' -H 'content-type: application/json' \
        --data "$(body "$2")" "${urls[@]}" 2>&1) || { echo "curl failed: $(printf '%s' "$out" | tail -1)"; return; }
    ok=$(printf '%s\n' "$out" | grep -c '^200$' || true)
    [ "$ok" = "$3" ] || { echo "$(($3 - ok)) of $3 answers not 200"; return; }
    if [ "$2" != short ]; then
        ended=$(printf '%s\n' "$out" | grep -c '^data: \[DONE\]$' || true)
        [ "$ended" = "$3" ] || { echo "$(($3 - ended)) of $3 streams without [DONE]"; return; }
    fi
    echo ok
}
export -f batch body
export LONG

# COUNT calls of one kind, in CONCURRENCY keep-alive connections at once; dies unless every one
# succeeded.
calls() { # port kind count
    local results bad
    results=$(seq 1 "$CONCURRENCY" | xargs -P "$CONCURRENCY" -I{} bash -c 'batch "$0" "$1" "$2"' "$1" "$2" \
        "$(($3 / CONCURRENCY))")
    bad=$(printf '%s\n' "$results" | grep -v '^ok$' | sort | uniq -c || true)
    [ -z "$bad" ] || die "$2 calls through port $1 failed: $bad"
}

# The instructions a callgrind dump counted (its "totals:" line).
dumped_ir() { # dump-file
    [ -s "$1" ] || die "callgrind wrote no dump $1"
    awk '/^totals:/ { print $2 }' "$1"
}

UPSTREAM_PORT=$(free_port)
"$STREAM_LOAD" upstream --port "$UPSTREAM_PORT" --chunks 1 --interval-ms "$INTERVAL_MS" --threads 1 \
    >"$WORK/upstream.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do
    [ "$(batch "$UPSTREAM_PORT" one 1)" = ok ] && break
    sleep 0.1
done
[ "$(batch "$UPSTREAM_PORT" long 1)" = ok ] || die "the upstream does not stream (see $WORK/upstream.log)"
log "upstream on 127.0.0.1:$UPSTREAM_PORT, chunks $INTERVAL_MS ms apart; $(valgrind --version)"

declare -A IR
for target in $TARGETS; do
    port=$(free_port)
    out="$WORK/callgrind.$target"
    case "$target" in
        shepherd)
            cp "$SHEPHERD_BIN" "$WORK/shepherd"
            strip -g "$WORK/shepherd"
            cmd=("$WORK/shepherd" serve --listen "127.0.0.1:$port"
                --legacy-url "http://127.0.0.1:$UPSTREAM_PORT/v1" --legacy-flavor openai
                --relay-url "http://127.0.0.1:$UPSTREAM_PORT/v1" --relay-flavor openai
                --policy "$ROOT/policies/default.yaml" --state "$WORK/state.sqlite")
            ;;
        floor)
            cp "$PROXY_FLOOR" "$WORK/proxy-floor"
            strip -g "$WORK/proxy-floor"
            cmd=("$WORK/proxy-floor" hummingbird-ahc-stream "$port" "$UPSTREAM_PORT")
            ;;
    esac
    log "$target under callgrind: ${cmd[*]}"
    (cd "$WORK" && exec env -u SHEPHERD_ROLLBACK -u SHEPHERD_CLIENT_KEYS -u SSL_CERT_FILE \
        -u HTTPS_PROXY -u HTTP_PROXY -u https_proxy -u http_proxy \
        NIO_SINGLETON_GROUP_LOOP_COUNT=1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "${cmd[@]}") \
        >"$WORK/$target.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    ready=""
    for _ in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || { tail -30 "$WORK/$target.log" >&2; die "$target exited under callgrind"; }
        [ "$(batch "$port" short 1)" = ok ] && { ready=1; break; }
        sleep 0.2
    done
    [ -n "$ready" ] || { tail -30 "$WORK/$target.log" >&2; die "$target did not answer within 120 s under callgrind"; }
    for kind in short one long; do calls "$port" "$kind" "$WARMUP"; done
    dumps=0
    for kind in short one long; do
        callgrind_control -i on "$pid" >/dev/null
        calls "$port" "$kind" "$REQUESTS"
        callgrind_control -i off "$pid" >/dev/null
        callgrind_control --dump="$target-$kind" "$pid" >/dev/null
        dumps=$((dumps + 1))
        IR[$target/$kind]=$(dumped_ir "$out.$dumps")
        log "$target $kind: ${IR[$target/$kind]} Ir over $REQUESTS calls"
        if [ "$TOP" -gt 0 ]; then
            callgrind_annotate --inclusive=no "$out.$dumps" 2>/dev/null |
                sed -n '/^Ir /,$p' | sed -n "3,$((TOP + 2))p" >&2 || true
        fi
    done
    stop_pid "$pid"
done

echo
echo "instructions per call (valgrind --tool=callgrind, $REQUESTS calls per figure, $CONCURRENCY at once):"
printf '%-10s %14s %14s %14s %14s\n' target "short answer" "stream base" "per chunk" "$LONG-chunk stream"
for target in $TARGETS; do
    awk -v t="$target" -v n="$REQUESTS" -v long="$LONG" -v s="${IR[$target/short]}" -v o="${IR[$target/one]}" \
        -v l="${IR[$target/long]}" 'BEGIN {
            chunk = (l - o) / n / (long - 1)
            printf "%-10s %14.0f %14.0f %14.0f %14.0f\n", t, s / n, o / n - chunk, chunk, l / n }'
done
if wants shepherd && wants floor; then
    awk -v n="$REQUESTS" -v long="$LONG" \
        -v s1="${IR[shepherd/short]}" -v o1="${IR[shepherd/one]}" -v l1="${IR[shepherd/long]}" \
        -v s2="${IR[floor/short]}" -v o2="${IR[floor/one]}" -v l2="${IR[floor/long]}" 'BEGIN {
            c1 = (l1 - o1) / n / (long - 1); c2 = (l2 - o2) / n / (long - 1)
            printf "%-10s %14.2f %14.2f %14.2f %14.2f\n", "× floor", s1 / s2, (o1 / n - c1) / (o2 / n - c2), c1 / c2, l1 / l2 }'
fi
