# Benchmarks/common.sh: what the loopback load scripts (proxy-load.sh, stream-load.sh) share;
# sourced, not run. Logging, Debian packages installed when missing, a temporary directory whose
# processes are all stopped on exit, and free loopback ports. The sourcing script sets KEEP_LOGS,
# then calls `install_missing PKG…` and `make_work NAME` (sets WORK; add every started pid to PIDS).

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the packages named (as root, or through sudo); nothing when none is named.
install_missing() {
    [ $# -gt 0 ] || return 0
    log "installing $* from Debian's packages"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

stop_pid() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && stop_pid "$pid"
    done
    if [ "$KEEP_LOGS" = "1" ]; then
        echo "logs kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}

# The run's temporary directory ($WORK, with tmp/ inside), removed on exit unless KEEP_LOGS=1,
# after every pid in PIDS has been stopped.
make_work() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    chmod 755 "$WORK" # nginx workers run as another user when started by root
    mkdir -p "$WORK/tmp"
    PIDS=()
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Sets SHEPHERD_BIN to an absolute path: the one given, else a release build in $SCRATCH_PATH
# (its log in $WORK/build.log).
shepherd_binary() {
    if [ -n "${SHEPHERD_BIN:-}" ]; then
        [ -x "$SHEPHERD_BIN" ] || die "SHEPHERD_BIN=$SHEPHERD_BIN is not executable"
    else
        log "building shepherd (release, scratch path $SCRATCH_PATH)"
        timeout 3600 swift build -c release --product shepherd --scratch-path "$SCRATCH_PATH" >"$WORK/build.log" 2>&1 ||
            { tail -40 "$WORK/build.log" >&2; die "swift build -c release --product shepherd failed"; }
        SHEPHERD_BIN="$(swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)/shepherd"
    fi
    SHEPHERD_BIN=$(cd "$(dirname "$SHEPHERD_BIN")" && pwd)/$(basename "$SHEPHERD_BIN")
}

# Sets LOAD_AT_START (the load averages, for the report) and warns when the machine is busy.
note_load() {
    LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
    case "$LOAD_AT_START" in
        [0-9]*) awk -v l="${LOAD_AT_START%% *}" -v c="$(nproc)" 'BEGIN { exit !(l > c / 2) }' &&
            log "warning: load average $LOAD_AT_START on $(nproc) cores: other work will skew the figures" ;;
    esac
    return 0
}

# Prints the path of one of Benchmarks/LoadTools' executables, built in release in the scratch
# path given (its log in $WORK/PRODUCT-build.log).
load_tool_binary() { # product scratch-path
    local product=$1 scratch=$2 package="$ROOT/Benchmarks/LoadTools"
    log "building $product (release, scratch path $scratch)"
    timeout 3600 swift build -c release --package-path "$package" --product "$product" \
        --scratch-path "$scratch" >"$WORK/$product-build.log" 2>&1 ||
        { tail -40 "$WORK/$product-build.log" >&2; die "swift build of Benchmarks/LoadTools ($product) failed"; }
    echo "$(swift build -c release --package-path "$package" --scratch-path "$scratch" --show-bin-path)/$product"
}

# Starts nginx (the script's $NGINX) with a configuration in $WORK, after checking it.
start_nginx() { # name conf → sets LAST_PID
    local name=$1 conf=$2
    "$NGINX" -t -q -p "$WORK" -e "$WORK/$name-error.log" -c "$conf" 2>"$WORK/$name-test.log" ||
        { cat "$WORK/$name-test.log" >&2; die "nginx rejected $conf"; }
    "$NGINX" -p "$WORK" -e "$WORK/$name-error.log" -c "$conf" >"$WORK/$name.out" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

# A free loopback port: a bounded probe of random ports below the kernel's ephemeral range (so that
# no outgoing connection of a previous run holds it), skipping any port in use in any TCP state.
USED_PORTS=" "
free_port() {
    local low=32768 port
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    [ "$low" -gt 11000 ] || low=61000
    local busy=" "
    if command -v ss >/dev/null 2>&1; then
        busy=" $(ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u | tr '\n' ' ')"
    fi
    for _ in $(seq 1 200); do
        port=$((10000 + RANDOM % (low - 10000)))
        case "$USED_PORTS$busy" in *" $port "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            USED_PORTS="$USED_PORTS$port "
            echo "$port"
            return 0
        fi
    done
    die "no free loopback port found"
}
