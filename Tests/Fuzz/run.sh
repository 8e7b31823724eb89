#!/usr/bin/env bash
# Tests/Fuzz/run.sh: coverage-guided fuzzing (libFuzzer) of the SSE parser, the Anthropic
# translation, the request scanner, the wire scan and the policy loader, each for a bounded time.
#
# Builds the ShepherdFuzz executable with `swift build --sanitize=fuzzer` (SHEPHERD_FUZZ=1 adds it
# to the package; a plain build never links it) in its own scratch folder, then runs each target
# over its committed corpus (Tests/Fuzz/Corpus/<target>/). New inputs the fuzzer finds go to a
# temporary folder, not the repository. A crash stops the run, prints the input, and copies it to
# Tests/Fuzz/Corpus/<target>/crash-<sha1>: commit it with the fix, and FuzzTests (part of
# `swift test`) runs it for ever after.
#
# Usage:  Tests/Fuzz/run.sh [seconds per target, default 60] [target ...]
#         FUZZ_MERGE=1 Tests/Fuzz/run.sh 600   # also merge the inputs that add coverage into the
#                                              # committed corpus (libFuzzer -merge=1), to commit
#         FUZZ_SEED=1 FUZZ_RUNS=60000 Tests/Fuzz/run.sh 120
#                                              # what CI runs: a fixed seed and a fixed number of
#                                              # inputs per target (the time only caps it), so a
#                                              # run repeats; without them each run explores anew
# Targets: FuzzSSE FuzzAnthropic FuzzRequestScan FuzzWireScan FuzzPolicy (default: all)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzSSE FuzzAnthropic FuzzRequestScan FuzzWireScan FuzzPolicy)
scratch=.build-fuzz

echo "== fuzz: build (swift build --sanitize=fuzzer --product ShepherdFuzz --scratch-path $scratch)"
SHEPHERD_FUZZ=1 swift build --sanitize=fuzzer --product ShepherdFuzz --scratch-path "$scratch"
binary="$(SHEPHERD_FUZZ=1 swift build --sanitize=fuzzer --scratch-path "$scratch" --show-bin-path)/ShepherdFuzz"

work=$(mktemp -d "${TMPDIR:-/tmp}/shepherd-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
for target in "${targets[@]}"; do
    corpus="Tests/Fuzz/Corpus/$target"
    [ -d "$corpus" ] || { echo "error: no corpus folder $corpus" >&2; exit 2; }
    mkdir -p "$work/$target" "$work/$target-artifacts"
    echo "== fuzz: $target for ${seconds}s (corpus $corpus, $(ls "$corpus" | wc -l) files)"
    # The Swift runtime's backtracer would take the crash signal before libFuzzer saves the input.
    bounds=(-max_total_time="$seconds")
    [ -z "${FUZZ_RUNS:-}" ] || bounds+=(-runs="$FUZZ_RUNS")
    [ -z "${FUZZ_SEED:-}" ] || bounds+=(-seed="$FUZZ_SEED")
    if ! SWIFT_BACKTRACE=enable=no FUZZ_TARGET="$target" "$binary" "${bounds[@]}" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$work/$target-artifacts/" \
        "$work/$target" "$corpus" 2>"$work/$target.log"; then
        status=1
        tail -40 "$work/$target.log" >&2
        for artifact in "$work/$target-artifacts"/*; do
            [ -f "$artifact" ] || continue
            name="crash-$(sha1sum "$artifact" | cut -c1-12)"
            cp "$artifact" "$corpus/$name"
            echo "error: $target failed on $corpus/$name (base64 below); add it to the commit with its fix" >&2
            base64 -w0 "$artifact" >&2
            echo >&2
        done
    else
        grep -E "stat::number_of_executed_units|stat::new_units_added|cov:" "$work/$target.log" | tail -3
        if [ "${FUZZ_MERGE:-0}" = "1" ]; then
            SWIFT_BACKTRACE=enable=no FUZZ_TARGET="$target" "$binary" -merge=1 -max_len=8192 "$corpus" "$work/$target" \
                2>>"$work/$target.log"
            echo "   merged: $(ls "$corpus" | wc -l) files in $corpus"
        fi
    fi
done
exit $status
