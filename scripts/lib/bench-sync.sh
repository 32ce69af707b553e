# scripts/bench sync: the metadata of a million calls from earshot-refserver into an empty
# store, against curl fetching the same pages to /dev/null over one keep-alive connection.
# See bench/README.md for what each number means.
# shellcheck shell=bash

readonly SYNC_CALLS=${BENCH_SYNC_CALLS:-1000000}

# The largest page the agent accepts (its --help says "1 to N"), at most the contract's 1000.
bench::sync_page_size() {
    local most
    # Help text wraps differently as options are added: read it as one line.
    most=$("$BENCH_BIN/earshot-sync" --help | tr -s ' \n' '  ' \
        | grep -o 'Calls per metadata page, 1 to [0-9]*' | grep -o '[0-9]*$' | head -n 1 || true)
    [ -n "$most" ] || most=500
    [ "$most" -gt 1000 ] && most=1000
    echo "$most"
}

# Whether the agent can be told to leave recordings alone; then the server keeps them.
bench::sync_agent_metadata_only() { "$BENCH_BIN/earshot-sync" --help | grep -q -- '--metadata-only'; }

# Starts the million-call server on a seeded data dir kept in the cache (seeding takes
# about 20 s; the same parameters give the same database). Sets SYNC_SERVER, SYNC_SERVER_DIR.
bench::sync_server() {
    local recordings=$1 args=(--calls "$SYNC_CALLS" --seed "$BENCH_SEED")
    [ "$recordings" = none ] && args+=(--no-recordings)
    SYNC_SERVER_DIR=$BENCH_CACHE/sync-server-$SYNC_CALLS-seed$BENCH_SEED-recordings-$recordings
    if [ ! -e "$SYNC_SERVER_DIR/complete" ]; then
        earshot::log "Seeding $SYNC_CALLS calls (recordings: $recordings) into $SYNC_SERVER_DIR (kept for later runs)"
        rm -rf "$SYNC_SERVER_DIR"
    fi
    mkdir -p "$SYNC_SERVER_DIR"
    bench::start_refserver sync "$BENCH_RUN/server-sync.log" --data-dir "$SYNC_SERVER_DIR/data" "${args[@]}"
    touch "$SYNC_SERVER_DIR/complete"
    SYNC_SERVER=$BENCH_SERVER_URL
}

# The cursor of every page, in order (the first is empty), walked once without timing and
# kept next to the seeded server: cursors never change for the same database.
bench::sync_cursors() {
    local page_size=$1 token=$2 file cursor="" more=true body
    file=$SYNC_SERVER_DIR/cursors-$page_size.txt
    if [ -s "$file" ]; then echo "$file"; return 0; fi
    earshot::log "Walking the cursor chain once (page size $page_size; kept for later runs)" >&2
    : >"$file.tmp"
    while [ "$more" = true ]; do
        echo "$cursor" >>"$file.tmp"
        body=$(curl -sS --fail -H "Authorization: Bearer $token" \
            "$SYNC_SERVER/api/calls?limit=$page_size${cursor:+&updated_since=$cursor}" | jq -c '{next_cursor, has_more}')
        cursor=$(jq -r .next_cursor <<<"$body")
        more=$(jq -r .has_more <<<"$body")
    done
    mv "$file.tmp" "$file"
    echo "$file"
}

# One curl config: the bearer header, then every page to /dev/null; a single curl process
# reuses one keep-alive connection for all of them, sequentially.
bench::sync_curl_config() {
    local page_size=$1 token=$2 cursors=$3 out=$4 cursor
    {
        printf 'header = "Authorization: Bearer %s"\n' "$token"
        while IFS= read -r cursor; do
            printf 'url = "%s/api/calls?limit=%s%s"\noutput = "/dev/null"\n' "$SYNC_SERVER" "$page_size" \
                "${cursor:+&updated_since=$cursor}"
        done <"$cursors"
    } >"$out"
}

# Reads an agent run's log on stdin and prints the milliseconds of its phases, as the agent
# logs them: "WRITE INDEX WAIT" (fetching and writing the pages; the first fill's index
# build; the time it then waited for the reference check that runs alongside), "-" for
# one it did not log.
bench::sync_phases() {
    awk '/metadata sync done:/ { match($0, /in [0-9]+ ms/); w = substr($0, RSTART + 3, RLENGTH - 6) }
         /first fill: built indexes in/ {
             match($0, /indexes in [0-9]+ ms/); i = substr($0, RSTART + 11, RLENGTH - 14)
             match($0, /waited [0-9]+ ms/); c = substr($0, RSTART + 7, RLENGTH - 10) }
         END { printf "%s %s %s\n", w == "" ? "-" : w, i == "" ? "-" : i, c == "" ? "-" : c }'
}

# bench::sync_admin_stat NAME: a counter of the server's /__admin/stats.
bench::sync_admin_stat() { curl -sS --fail "$SYNC_SERVER/__admin/stats" | jq -r ".$1"; }

bench::sync() {
    local page_size recordings agent_args=() token cursors pages rep start end seconds log target rows stored
    local curl_runs=() agent_runs=() write_runs=() check_runs=() index_runs=() from phases
    page_size=$(bench::sync_page_size)
    if bench::sync_agent_metadata_only; then
        recordings=mixed
        agent_args+=(--metadata-only)
    else
        # The agent would download every recording: seed none, so that only metadata moves.
        recordings=none
    fi
    earshot::log "Sync benchmark: $SYNC_CALLS calls, page size $page_size, recordings: $recordings, $BENCH_REPS repetitions"
    bench::sync_server "$recordings"
    token=$(bench::api_token "$SYNC_SERVER")
    cursors=$(bench::sync_cursors "$page_size" "$token")
    pages=$(wc -l <"$cursors")
    bench::sync_curl_config "$page_size" "$token" "$cursors" "$BENCH_RUN/pages.curl"
    log=$BENCH_RUN/sync.log

    for rep in $(seq 1 "$BENCH_REPS"); do
        # As before the agent's runs: the last store's writeback must not land in curl's time.
        sync
        start=$(bench::now_us)
        curl -sS --fail -K "$BENCH_RUN/pages.curl" -w '%{http_code} %{num_connects}\n' >"$BENCH_RUN/pages.status"
        end=$(bench::now_us)
        [ "$(grep -c '^200 ' "$BENCH_RUN/pages.status")" -eq "$pages" ] || earshot::die "curl did not get all $pages pages"
        [ "$(awk '{ s += $2 } END { print s }' "$BENCH_RUN/pages.status")" -eq 1 ] \
            || earshot::die "curl opened more than one connection for the pages"
        seconds=$(bench::seconds_between "$start" "$end")
        curl_runs+=("$seconds")
        printf '  run %d  curl, %d pages          %7.3f s\n' "$rep" "$pages" "$seconds" >&2

        target=$BENCH_RUN/sync-agent-$rep
        bench::agent_login "$SYNC_SERVER" "$target" "$log"
        curl -sS --fail -X POST -o /dev/null "$SYNC_SERVER/__admin/stats/reset"
        sync
        from=$(wc -l <"$log")
        start=$(bench::now_us)
        "$BENCH_BIN/earshot-sync" --server "$SYNC_SERVER" --data-dir "$target" --once --page-size "$page_size" \
            "${agent_args[@]}" >>"$log" 2>&1 || { bench::show_log "$log"; earshot::die "earshot-sync failed"; }
        end=$(bench::now_us)
        read -r -a phases < <(tail -n "+$((from + 1))" "$log" | bench::sync_phases)
        write_runs+=("${phases[0]}")
        index_runs+=("${phases[1]}")
        check_runs+=("${phases[2]}")
        rows=$(bench::sync_admin_stat call_rows_served)
        [ "$rows" -ge "$SYNC_CALLS" ] || earshot::die "the server served only $rows call rows to the agent"
        stored=$(sqlite3 "file:$target/earshot.sqlite?mode=ro" 'SELECT COUNT(*) FROM calls' 2>/dev/null || echo "?")
        [ "$stored" = "?" ] || [ "$stored" -eq "$SYNC_CALLS" ] || earshot::die "the agent stored $stored calls, not $SYNC_CALLS"
        seconds=$(bench::seconds_between "$start" "$end")
        agent_runs+=("$seconds")
        printf '  run %d  earshot-sync            %7.3f s  (%s rows served, %s calls stored; ms: pages %s, indexes %s, then references %s)\n' \
            "$rep" "$seconds" "$rows" "$stored" "${phases[0]}" "${phases[1]}" "${phases[2]}" >&2
        rm -rf "$target"
    done
    bench::sync_report "$page_size" "$recordings" "$pages" "${curl_runs[*]}" "${agent_runs[*]}" \
        "${write_runs[*]}" "${check_runs[*]}" "${index_runs[*]}"
}

# Prints the table and writes bench/results/sync.json.
bench::sync_report() {
    local page_size=$1 recordings=$2 pages=$3 curl_list=$4 agent_list=$5 write_list=$6 check_list=$7 index_list=$8
    local curl_median agent_median json
    # shellcheck disable=SC2086 # the run lists are space-separated numbers
    curl_median=$(bench::median $curl_list)
    # shellcheck disable=SC2086
    agent_median=$(bench::median $agent_list)
    # shellcheck disable=SC2086
    json=$(jq -n \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson machine "$(bench::machine_json)" \
        --argjson calls "$SYNC_CALLS" --argjson page_size "$page_size" --argjson pages "$pages" \
        --arg recordings "$recordings" --argjson reps "$BENCH_REPS" \
        --argjson agent "$agent_median" --argjson agent_runs "$(bench::json_numbers $agent_list)" \
        --argjson curl "$curl_median" --argjson curl_runs "$(bench::json_numbers $curl_list)" \
        --argjson rate "$(awk -v n="$SYNC_CALLS" -v t="$agent_median" 'BEGIN { printf "%d", n / t }')" \
        --argjson ratio "$(bench::ratio "$agent_median" "$curl_median")" \
        --arg curl_version "$(curl --version | head -n 1 | cut -d' ' -f1-2)" \
        --argjson write_ms "$(bench::median_or_null $write_list)" \
        --argjson check_ms "$(bench::median_or_null $check_list)" \
        --argjson index_ms "$(bench::median_or_null $index_list)" \
        '{benchmark: "sync", date: $date, machine: $machine,
          setup: {calls: $calls, page_size: $page_size, pages: $pages, repetitions: $reps,
                  server_recordings: $recordings, curl: $curl_version,
                  agent_time_includes: "process start, keychain, /api/me, every page into an empty store, and whatever else one --once pass does"},
          agent_seconds: $agent, agent_runs_seconds: $agent_runs,
          agent_phases_median_ms: {pages_fetched_and_written: $write_ms, indexes_built: $index_ms,
                                   references_waited_for_after_indexes: $check_ms},
          curl_pages_seconds: $curl, curl_pages_runs_seconds: $curl_runs,
          calls_per_second: $rate, target_calls_per_second: 100000,
          ratio_vs_curl_pages: $ratio, target_ratio_vs_curl_pages: 1.5}')
    bench::write_result "$BENCH_RESULTS/sync.json" "$json"
    {
        printf '\nSync: metadata of %d calls into an empty store, %d pages of %d (median of %d)\n' \
            "$SYNC_CALLS" "$pages" "$page_size" "$BENCH_REPS"
        printf '  %-30s %8.3f s\n' "curl, same pages to /dev/null" "$curl_median"
        printf '  %-30s %8.3f s\n' "earshot-sync --once" "$agent_median"
        printf '  %-30s %8s ms, then building indexes %s ms, waiting for the reference check %s ms\n' \
            "  of which pages" \
            "$(jq -r .agent_phases_median_ms.pages_fetched_and_written <<<"$json")" \
            "$(jq -r .agent_phases_median_ms.indexes_built <<<"$json")" \
            "$(jq -r .agent_phases_median_ms.references_waited_for_after_indexes <<<"$json")"
        printf '  %-30s %8s     (target >= 100000)\n' "calls per second" "$(jq -r .calls_per_second <<<"$json")"
        printf '  %-30s %8s     (target <= 1.5)\n' "ratio_vs_curl_pages" "$(jq -r .ratio_vs_curl_pages <<<"$json")"
        [ "$recordings" = none ] && printf '  (the server had no recordings: the agent has no --metadata-only yet)\n'
    } | tee "$BENCH_RUN/sync-table.txt"
}
