#!/usr/bin/env python3
"""Benchmarks/async-frames.py BIN [PATTERN]: the async frames a stream holds, from a release binary.

Every Swift async function has an "async function pointer" (a symbol whose mangled name ends in
`Tu`): a 32-bit relative address and then the 32-bit size of the function's frame (its async
context), which the caller allocates from the task's allocator when it calls. The task allocator
hands out 984-byte slabs and keeps every slab the task ever needed until the task ends; a
stream's body is written by the connection's task for as long as the stream is open, so the
frames on the way to an open stream (and the request handling before it, on the same task) are
memory that every open stream holds (issue #13: RSS per open stream).

A frame holds the function's locals that live across an await and the temporaries of whatever
the compiler inlined into it, so Shepherd keeps the functions on a stream's way down to their
awaits and moves their synchronous work into `@inline(never)` functions, whose temporaries live
on the thread's stack instead.

This prints the frame size of each async function whose demangled name matches PATTERN (a
regular expression; by default the functions on a streamed chat call's way, Shepherd's and its
stack's), largest first. The figures are the compiler's, exact and repeatable for a given build:
compare two builds' output to see what a change did.

    swift build -c release --product shepherd
    Benchmarks/async-frames.py .build/release/shepherd
    Benchmarks/async-frames.py .build/release/shepherd 'PathCaller|MigrationRouter'

Needs `nm` and `readelf` (binutils) and `swift demangle`.
"""
import re
import signal
import struct
import subprocess
import sys

DEFAULT = (
    r"ProxyRoutes\.(chat|inChildTask)|SSEWriter\.write|RoutedStream\.FrameIterator\.next|"
    r"EventStreamChunkSource\.next|ChatChunkStream\.FrameIterator|PathCaller\.openStream|"
    r"MigrationRouter\.(stream|route|routed|on)\b|OpenAICompatibleProvider\.stream|UpstreamTransport|"
    r"(RequestLog|OpenAIError|Tracing)Middleware\.handle|RetryExecutor\.execute|AttemptRunner\.run|"
    r"PathExecutor\.execute|HTTPClient\.execute|HTTPChannelHandler\.handleHTTP"
)


def main() -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 64
    binary = sys.argv[1]
    pattern = re.compile(sys.argv[2] if len(sys.argv) == 3 else DEFAULT)

    sections = []
    for line in subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[0].startswith("[") and fields[0] != "[Nr]":
            try:
                sections.append((int(fields[3], 16), int(fields[4], 16), int(fields[5], 16), fields[2]))
            except ValueError:
                continue
    data = open(binary, "rb").read()

    symbols = []
    nm = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    for line in nm.splitlines():
        fields = line.split()
        if len(fields) != 3 or not fields[2].endswith("Tu"):
            continue
        address = int(fields[0], 16)
        for start, offset, size, kind in sections:
            if start <= address < start + size and kind != "NOBITS":
                frame = struct.unpack("<I", data[offset + address - start + 4 : offset + address - start + 8])[0]
                symbols.append((frame, fields[2]))
                break

    demangled = subprocess.run(
        ["swift", "demangle", "--simplified"], input="\n".join(s for _, s in symbols), capture_output=True,
        text=True, check=True,
    ).stdout.splitlines()
    rows = []
    for (frame, _), name in zip(symbols, demangled):
        name = name.removeprefix("async function pointer to ")
        if pattern.search(name) and not name.startswith("partial apply"):
            rows.append((frame, name))
    for frame, name in sorted(rows, key=lambda r: (-r[0], r[1])):
        print(f"{frame:6d}  {name[:160]}")
    print(f"{len(rows)} async functions; frame sizes in bytes (the task allocator's slab holds 984)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
