# Helpers shared by the benchmarks (scripts/bench): child processes, clocks, the reference
# server, the agent, statistics and the machine description that goes into the results.
# shellcheck shell=bash

BENCH_BIN=${BENCH_BIN:-$EARSHOT_BUILD_DIR/bin}
# Generated inputs that are slow to make (random files, a seeded million-call server) are
# kept between runs here; the run's scratch space is removed at exit.
BENCH_CACHE=${BENCH_CACHE:-$EARSHOT_BUILD_DIR/bench-cache}
BENCH_RESULTS=${BENCH_RESULTS:-$EARSHOT_ROOT/bench/results}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_EMAIL=supervisor@demo.test
BENCH_PASSWORD=demo

bench_pids=()

# Stops what this run started, and only that.
bench::cleanup() {
    local pid
    for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${bench_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "${BENCH_RUN:-}" ] && [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$BENCH_RUN"; fi
}

bench::track() { bench_pids+=("$1"); }

# Microseconds since the epoch, without starting a process.
bench::now_us() { echo "${EPOCHREALTIME/./}"; }

# Seconds between two bench::now_us readings, with millisecond precision.
bench::seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }'; }

# Clock ticks the whole machine has spent busy since boot, on every core and in every
# process and the kernel (user, nice, system, irq, softirq, steal; not idle or iowait).
bench::busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# CPU-seconds between two bench::busy_ticks readings.
bench::cpu_seconds_between() {
    awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'
}

bench::median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "null"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The median of the arguments that are numbers ("-" marks a value a run did not give);
# null when none is.
bench::median_or_null() {
    local value numbers=()
    for value in "$@"; do [[ "$value" =~ ^[0-9.]+$ ]] && numbers+=("$value"); done
    if [ "${#numbers[@]}" -eq 0 ]; then echo null; else bench::median "${numbers[@]}"; fi
}

# A JSON array of numbers from the arguments.
bench::json_numbers() { printf '%s\n' "$@" | jq -s -c '.'; }

bench::ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "null" }'; }

bench::show_log() { echo "---- last lines of $1 ----" >&2; tail -n 25 "$1" >&2 || true; }

# bench::start_refserver NAME LOG ARGS... : starts earshot-refserver on a free port and
# sets BENCH_SERVER_URL once it listens (seeding a million calls takes a while). Not in a
# $(…): the server must be a child of this shell, so that cleanup can stop it.
bench::start_refserver() {
    local name=$1 log=$2 url="" pid
    shift 2
    "$BENCH_BIN/earshot-refserver" --listen 127.0.0.1:0 --enable-admin "$@" >"$log" 2>&1 &
    pid=$!
    bench::track "$pid"
    for _ in $(seq 1 6000); do
        url=$(sed -n 's/^earshot-refserver listening on \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || { bench::show_log "$log"; earshot::die "the $name reference server exited"; }
        sleep 0.1
    done
    [ -n "$url" ] || { bench::show_log "$log"; earshot::die "the $name reference server did not start within 10 minutes"; }
    # Every call counts, however old: the server's default retention policy (30 days) would
    # keep the agent from fetching the older recordings the other tools fetch.
    curl -sS --fail -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d '{"local_retention_days": 0}' "$url/__admin/policy" \
        || earshot::die "the $name reference server refused to switch its retention policy off"
    # shellcheck disable=SC2034 # the result, read by the caller
    BENCH_SERVER_URL=$url
}

# bench::api_token SERVER_URL: an access token for the benchmark user.
bench::api_token() {
    curl -sS --fail -X POST "$1/api/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" | jq -er '.access_token'
}

# bench::agent_login SERVER_URL DATA_DIR LOG: a fresh data dir signed in (the session goes
# to the keychain of the with-keyring session scripts/bench runs in).
bench::agent_login() {
    printf '%s' "$BENCH_PASSWORD" | "$BENCH_BIN/earshot-sync" login --server "$1" --email "$BENCH_EMAIL" \
        --data-dir "$2" >>"$3" 2>&1 || { bench::show_log "$3"; earshot::die "earshot-sync could not sign in to $1"; }
}

bench::agent_version() { "$BENCH_BIN/earshot-sync" --version 2>/dev/null | head -n 1; }

# What the results were measured on, for the record in bench/results.
bench::machine_json() {
    local cpu os commit dirty
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")
    commit=$(git -C "$EARSHOT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    dirty=$(git -C "$EARSHOT_ROOT" status --porcelain 2>/dev/null | head -c 1)
    jq -n -c --arg cpu "${cpu:-unknown}" --argjson cores "$(nproc)" \
        --argjson memory_gib "$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" \
        --arg os "$os" --arg kernel "$(uname -r)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --arg commit "$commit${dirty:+ (with uncommitted changes)}" \
        --arg build_type "$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$EARSHOT_BUILD_DIR/CMakeCache.txt" 2>/dev/null)" \
        --arg agent "$(bench::agent_version)" \
        '{cpu: $cpu, cores: $cores, memory_gib: $memory_gib, os: $os, kernel: $kernel, load_average_at_end: $load,
          git_commit: $commit, build_type: $build_type, agent: $agent}'
}

# bench::write_result FILE JSON: pretty-printed, replacing the previous run's.
bench::write_result() {
    mkdir -p "$(dirname "$1")"
    jq '.' <<<"$2" >"$1.tmp" && mv "$1.tmp" "$1"
    earshot::log "Wrote ${1#"$EARSHOT_ROOT"/}"
}
