# scripts/bench mirror: 300 recordings of 1 MiB behind nginx secure_link, mirrored by
# earshot-sync, rclone, aria2c and curl --parallel in the same run; the agent's peak RSS on
# one 200 MiB recording; and the bytes it fetches again after being killed halfway through
# that recording. See bench/README.md for what each number means.
# shellcheck shell=bash

readonly MIRROR_FILES=300
readonly MIRROR_FILE_BYTES=$((1024 * 1024))
readonly MIRROR_BIG_BYTES=$((200 * 1024 * 1024))
readonly MIRROR_PARALLEL=8
readonly MIRROR_TOOLS=(earshot-sync rclone aria2c curl)

# Pseudo-random bytes, the same for the same seed and key: AES-CTR over zeros.
bench::random_file() {
    head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$(printf '%016x%016x' "$BENCH_SEED" "$3")" \
        -iv 00000000000000000000000000000000 -out "$1"
}

# The manifest.tsv the reference server reads, and SHA256SUMS for checking copies.
bench::write_manifest() {
    local dir=$1
    (cd "$dir" && sha256sum -- *.mp3 >SHA256SUMS)
    {
        printf 'file\tformat\tchannels\tduration_seconds\tsize_bytes\tsha256\n'
        while read -r sha name; do
            local size
            size=$(stat -c %s "$dir/$name")
            # As if MP3 at 128 kbit/s; nothing on the mirror path decodes the bytes.
            printf '%s\tmp3\t1\t%s\t%s\t%s\n' "$name" "$(awk -v s="$size" 'BEGIN { printf "%.3f", s / 16000 }')" "$size" "$sha"
        done <"$dir/SHA256SUMS"
    } >"$dir/manifest.tsv"
}

# Sets MIRROR_MEDIA to a directory with small/ (the 300 files) and big/ (the 200 MiB one),
# made once per seed and kept in the cache.
bench::mirror_media() {
    MIRROR_MEDIA=$BENCH_CACHE/mirror-media-seed$BENCH_SEED
    local stamp=$MIRROR_MEDIA/complete-$MIRROR_FILES-$MIRROR_FILE_BYTES-$MIRROR_BIG_BYTES
    [ -e "$stamp" ] && return 0
    earshot::log "Generating $MIRROR_FILES files of $MIRROR_FILE_BYTES bytes and one of $MIRROR_BIG_BYTES (seed $BENCH_SEED)"
    rm -rf "$MIRROR_MEDIA"
    mkdir -p "$MIRROR_MEDIA/small" "$MIRROR_MEDIA/big"
    local i
    for i in $(seq 1 "$MIRROR_FILES"); do
        bench::random_file "$MIRROR_MEDIA/small/$(printf 'rec-%04d.mp3' "$i")" "$MIRROR_FILE_BYTES" "$i"
    done
    bench::random_file "$MIRROR_MEDIA/big/rec-big.mp3" "$MIRROR_BIG_BYTES" 0
    bench::write_manifest "$MIRROR_MEDIA/small"
    bench::write_manifest "$MIRROR_MEDIA/big"
    touch "$stamp"
}

# The inputs of the other tools: signed links for aria2c and curl, a directory link and a
# file list for rclone. Made before any timing; good for an hour.
bench::mirror_tool_inputs() {
    local expires name url
    expires=$(($(date +%s) + 3600))
    : >"$BENCH_RUN/aria2.txt"
    : >"$BENCH_RUN/curl.conf"
    : >"$BENCH_RUN/rclone-files.txt"
    for name in $(cd "$MIRROR_MEDIA/small" && ls -- *.mp3); do
        url=$(bench::signed_url "small/$name" "$expires")
        printf '%s\n  out=%s\n' "$url" "$name" >>"$BENCH_RUN/aria2.txt"
        printf 'url = "%s"\noutput = "%s"\n' "$url" "$name" >>"$BENCH_RUN/curl.conf"
        echo "$name" >>"$BENCH_RUN/rclone-files.txt"
    done
    MIRROR_RCLONE_URL=$(bench::directory_url small "$expires")
    # Every tool must get the files, not 403s: one probe before anything is timed.
    curl -sS --fail -o /dev/null "$url" || earshot::die "nginx refused a signed link: $url"
    curl -sS --fail -o /dev/null "${MIRROR_RCLONE_URL}$name" || earshot::die "nginx refused the directory link"
}

# bench::mirror_run TOOL TARGET LOG: mirrors the 300 files into TARGET (a data dir for the
# agent, a folder for the others).
bench::mirror_run() {
    local tool=$1 target=$2 log=$3
    case "$tool" in
        earshot-sync)
            "$BENCH_BIN/earshot-sync" --server "$MIRROR_SMALL_SERVER" --data-dir "$target" --once >>"$log" 2>&1 ;;
        rclone)
            rclone copy --config /dev/null --http-url "$MIRROR_RCLONE_URL" :http: "$target" \
                --files-from "$BENCH_RUN/rclone-files.txt" --no-traverse --transfers "$MIRROR_PARALLEL" \
                --checkers "$MIRROR_PARALLEL" -q >>"$log" 2>&1 ;;
        aria2c)
            aria2c -i "$BENCH_RUN/aria2.txt" -d "$target" -j "$MIRROR_PARALLEL" -x 1 --file-allocation=none -q \
                >>"$log" 2>&1 ;;
        curl)
            (cd "$target" && curl --parallel --parallel-max "$MIRROR_PARALLEL" -sS --fail -K "$BENCH_RUN/curl.conf") \
                >>"$log" 2>&1 ;;
    esac
}

# Prints the seconds `openssl dgst -sha256` takes over the 300 files from the page cache,
# spread over every core: the hashing alone that the agent must do and the other tools do
# not, with the fastest SHA-256 this machine has (OpenSSL uses the CPU's SHA extensions).
bench::mirror_hash_alone() {
    local start end
    start=$(bench::now_us)
    (cd "$MIRROR_MEDIA/small" && printf '%s\n' ./*.mp3 \
        | xargs -P "$(nproc)" -n "$(((MIRROR_FILES + $(nproc) - 1) / $(nproc)))" openssl dgst -sha256 >/dev/null)
    end=$(bench::now_us)
    bench::seconds_between "$start" "$end"
}

# Prints the CPU-seconds SHA-256 takes over BYTES already in memory, in 64 KiB blocks (the
# agent's chunks), from OpenSSL's own speed test on one core: no file reads, no process
# starts, so the least any hashing of the 300 files can cost here.
bench::sha256_cpu_seconds() {
    local bytes=$1 kilobytes_per_second
    kilobytes_per_second=$(openssl speed -seconds 2 -bytes 65536 -evp sha256 2>/dev/null \
        | awk '$1 == "sha256" { sub(/k$/, "", $2); print $2 }')
    [ -n "$kilobytes_per_second" ] || earshot::die "openssl speed gave no SHA-256 figure"
    awk -v b="$bytes" -v k="$kilobytes_per_second" 'BEGIN { printf "%.3f", b / (k * 1000) }'
}

# bench::mirror_verify TOOL TARGET FROM_LINE REP: dies unless every file arrived whole.
bench::mirror_verify() {
    local tool=$1 target=$2 from=$3 rep=$4 whole errors copies
    read -r whole errors _ < <(bench::nginx_served "$from" small "$MIRROR_FILE_BYTES")
    if [ "$whole" -ne "$MIRROR_FILES" ] || [ "$errors" -ne 0 ]; then
        earshot::die "$tool: nginx served $whole of $MIRROR_FILES files whole, with $errors error responses"
    fi
    if [ "$tool" = earshot-sync ]; then
        # The agent names its files itself (and may encrypt them): count finished ones.
        copies=$(find "$target" -type f ! -name '*.part' -size +"$((MIRROR_FILE_BYTES - 1))"c | wc -l)
        [ "$copies" -ge "$MIRROR_FILES" ] || earshot::die "$tool: only $copies finished recordings in $target"
        return 0
    fi
    copies=$(find "$target" -type f -name 'rec-*.mp3' -size "${MIRROR_FILE_BYTES}c" | wc -l)
    [ "$copies" -eq "$MIRROR_FILES" ] || earshot::die "$tool: $copies of $MIRROR_FILES files arrived with the right size"
    if [ "$rep" -eq 1 ]; then
        (cd "$target" && sha256sum --quiet -c "$MIRROR_MEDIA/small/SHA256SUMS") \
            || earshot::die "$tool: copies differ from the originals"
    fi
}

# Bytes in the largest file under a directory (the recording being downloaded, whatever
# the agent calls it): the smaller of its size and the disk space it occupies, so that a
# sparse file written out of order counts only what was written.
bench::largest_file() {
    find "$1" -type f -printf '%s %b\n' 2>/dev/null \
        | awk '{ n = $2 * 512 < $1 ? $2 * 512 : $1; if (n > max) max = n } END { printf "%d\n", max }'
}

# Sets MIRROR_RSS_MIB: the agent's peak resident memory while mirroring the 200 MiB
# recording into a fresh data dir.
bench::mirror_peak_rss() {
    local dir=$1 log=$2 kib
    bench::agent_login "$MIRROR_BIG_SERVER" "$dir" "$log"
    /usr/bin/time -f '%M' -o "$dir.rss" "$BENCH_BIN/earshot-sync" --server "$MIRROR_BIG_SERVER" \
        --data-dir "$dir" --once >>"$log" 2>&1 || { bench::show_log "$log"; earshot::die "earshot-sync failed on the 200 MiB recording"; }
    kib=$(tail -n 1 "$dir.rss")
    [ "$(bench::largest_file "$dir")" -ge "$MIRROR_BIG_BYTES" ] || earshot::die "the 200 MiB recording did not arrive"
    MIRROR_RSS_MIB=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
}

# Kills the agent with SIGKILL once half of the 200 MiB recording is on disk, runs it
# again to the end, and sets MIRROR_REFETCH to "PERCENT KEPT SERVED_BEFORE SERVED_AFTER":
# PERCENT is the bytes served after the restart beyond those still missing at the kill
# (the file size minus the KEPT bytes on disk), as a percentage of the file. Returns 3 if
# the download finished before it could be killed.
bench::mirror_refetch() {
    local dir=$1 log=$2 from mid pid status=0 kept before after missing
    bench::agent_login "$MIRROR_BIG_SERVER" "$dir" "$log"
    sync
    from=$(bench::nginx_log_lines)
    "$BENCH_BIN/earshot-sync" --server "$MIRROR_BIG_SERVER" --data-dir "$dir" --once >>"$log" 2>&1 &
    pid=$!
    bench::track "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        [ "$(bench::largest_file "$dir")" -ge $((MIRROR_BIG_BYTES / 2)) ] 2>/dev/null && break
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || status=$?
    [ "$status" -eq 137 ] || return 3 # it had finished (or failed) on its own
    kept=$(bench::largest_file "$dir")
    # nginx logs the cut-off response once it notices the closed connection.
    for _ in $(seq 1 50); do
        [ "$(bench::nginx_served "$from" big 1 | cut -d' ' -f3)" -gt 0 ] && break
        sleep 0.1
    done
    sleep 0.2
    mid=$(bench::nginx_log_lines)
    "$BENCH_BIN/earshot-sync" --server "$MIRROR_BIG_SERVER" --data-dir "$dir" --once >>"$log" 2>&1 \
        || { bench::show_log "$log"; earshot::die "earshot-sync failed to finish the recording after the kill"; }
    [ "$(bench::largest_file "$dir")" -ge "$MIRROR_BIG_BYTES" ] || earshot::die "the recording is incomplete after the restart"
    before=$(bench::nginx_served "$from" big 1 "$mid" | cut -d' ' -f3)
    after=$(bench::nginx_served "$mid" big 1 | cut -d' ' -f3)
    missing=$((MIRROR_BIG_BYTES - kept))
    MIRROR_REFETCH=$(awk -v a="$after" -v m="$missing" -v s="$MIRROR_BIG_BYTES" -v k="$kept" -v b="$before" \
        'BEGIN { printf "%.2f %d %d %d", (a - m) * 100 / s, k, b, a }')
}

bench::mirror() {
    local rep tool target from start end seconds log attempt status pct kept before after hash_alone=""
    local busy_start busy_end cpu
    earshot::log "Mirror benchmark: $MIRROR_FILES x $MIRROR_FILE_BYTES bytes behind nginx secure_link, $BENCH_REPS repetitions"
    bench::mirror_media
    bench::nginx_start "$MIRROR_MEDIA" "$BENCH_RUN/nginx"
    log=$BENCH_RUN/mirror.log
    bench::start_refserver small "$BENCH_RUN/server-small.log" --data-dir "$BENCH_RUN/server-small" \
        --calls "$MIRROR_FILES" --one-recording-per-file --recordings-dir "$MIRROR_MEDIA/small" \
        --media-base-url "$BENCH_NGINX_URL/media/small" --media-secret "$BENCH_NGINX_SECRET" --url-lifetime 3600
    MIRROR_SMALL_SERVER=$BENCH_SERVER_URL
    bench::start_refserver big "$BENCH_RUN/server-big.log" --data-dir "$BENCH_RUN/server-big" \
        --calls 1 --one-recording-per-file --recordings-dir "$MIRROR_MEDIA/big" \
        --media-base-url "$BENCH_NGINX_URL/media/big" --media-secret "$BENCH_NGINX_SECRET" --url-lifetime 3600
    MIRROR_BIG_SERVER=$BENCH_SERVER_URL
    bench::mirror_tool_inputs

    # nginx reads the files from the page cache for every tool, the first one timed included.
    cat "$MIRROR_MEDIA"/small/*.mp3 >/dev/null

    declare -A times=() cpus=()
    for rep in $(seq 1 "$BENCH_REPS"); do
        for tool in "${MIRROR_TOOLS[@]}"; do
            target=$BENCH_RUN/mirror-$tool-$rep
            mkdir -p "$target"
            [ "$tool" = earshot-sync ] && bench::agent_login "$MIRROR_SMALL_SERVER" "$target" "$log"
            sync # the previous copy's writeback must not land in this one's time
            from=$(bench::nginx_log_lines)
            busy_start=$(bench::busy_ticks)
            start=$(bench::now_us)
            bench::mirror_run "$tool" "$target" "$log" || { bench::show_log "$log"; earshot::die "$tool failed"; }
            end=$(bench::now_us)
            busy_end=$(bench::busy_ticks)
            bench::mirror_verify "$tool" "$target" "$from" "$rep"
            seconds=$(bench::seconds_between "$start" "$end")
            cpu=$(bench::cpu_seconds_between "$busy_start" "$busy_end")
            times[$tool]+="$seconds "
            cpus[$tool]+="$cpu "
            printf '  run %d  %-13s %6.3f s  (machine busy %s CPU-s)\n' "$rep" "$tool" "$seconds" "$cpu" >&2
            rm -rf "$target"
        done
        seconds=$(bench::mirror_hash_alone)
        hash_alone+="$seconds "
        printf '  run %d  %-13s %6.3f s\n' "$rep" "sha256 alone" "$seconds" >&2
    done

    local rss_runs=() refetch_runs=() refetch_details=()
    for rep in $(seq 1 "$BENCH_REPS"); do
        bench::mirror_peak_rss "$BENCH_RUN/rss-$rep" "$log"
        rss_runs+=("$MIRROR_RSS_MIB")
        printf '  run %d  peak RSS on 200 MiB    %s MiB\n' "$rep" "$MIRROR_RSS_MIB" >&2
        rm -rf "$BENCH_RUN/rss-$rep"
        MIRROR_REFETCH=""
        for attempt in 1 2 3; do
            status=0
            bench::mirror_refetch "$BENCH_RUN/refetch-$rep-$attempt" "$log" || status=$?
            [ "$status" -eq 0 ] && break
            MIRROR_REFETCH=""
            earshot::log "the download ended before it could be killed halfway; trying again"
        done
        [ -n "$MIRROR_REFETCH" ] || earshot::die "could not kill the agent halfway through the 200 MiB recording"
        read -r pct kept before after <<<"$MIRROR_REFETCH"
        refetch_runs+=("$pct")
        refetch_details+=("{\"percent\":$pct,\"bytes_on_disk_at_kill\":$kept,\"served_before_kill\":$before,\"served_after_restart\":$after}")
        printf '  run %d  re-fetched after kill  %s %% (on disk at the kill: %s bytes)\n' "$rep" "$pct" "$kept" >&2
        rm -rf "$BENCH_RUN/refetch-$rep-"*
    done

    bench::mirror_report "${rss_runs[*]}" "${refetch_runs[*]}" "$(printf '%s\n' "${refetch_details[@]}" | jq -s -c '.')" \
        "$hash_alone" "$(bench::sha256_cpu_seconds $((MIRROR_FILES * MIRROR_FILE_BYTES)))"
}

# Prints the table and writes bench/results/mirror.json.
bench::mirror_report() {
    local rss_list=$1 refetch_list=$2 refetch_json=$3 hash_list=$4 hash_cpu=$5 tool json tools_json="{}" median
    local ratio floor
    # shellcheck disable=SC2086 # the run lists are space-separated numbers
    for tool in "${MIRROR_TOOLS[@]}"; do
        median=$(bench::median ${times[$tool]})
        tools_json=$(jq -c --arg t "$tool" --argjson m "$median" --argjson r "$(bench::json_numbers ${times[$tool]})" \
            --argjson c "$(bench::median ${cpus[$tool]})" --argjson cr "$(bench::json_numbers ${cpus[$tool]})" \
            '. + {($t): {median_seconds: $m, runs_seconds: $r,
                         machine_cpu_seconds: $c, machine_cpu_runs_seconds: $cr}}' <<<"$tools_json")
    done
    ratio=$(bench::ratio "$(jq -r '."earshot-sync".median_seconds' <<<"$tools_json")" \
        "$(jq -r '.rclone.median_seconds' <<<"$tools_json")")
    # The least time any tool that does rclone's work and hashes the files could take here:
    # the CPU-seconds of both spread perfectly over every core, nothing else added.
    floor=$(awk -v work="$(jq -r '.rclone.machine_cpu_seconds' <<<"$tools_json")" \
        -v hash="$hash_cpu" -v cores="$(nproc)" \
        -v rclone="$(jq -r '.rclone.median_seconds' <<<"$tools_json")" \
        'BEGIN { if (rclone > 0) printf "%.2f", (work + hash) / cores / rclone; else print "null" }')
    # shellcheck disable=SC2086
    json=$(jq -n \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson machine "$(bench::machine_json)" \
        --argjson tools "$tools_json" --argjson ratio "$ratio" \
        --argjson rss "$(bench::median $rss_list)" --argjson rss_runs "$(bench::json_numbers $rss_list)" \
        --argjson refetch "$(bench::median $refetch_list)" --argjson refetch_runs "$refetch_json" \
        --argjson hash "$(bench::median $hash_list)" --argjson hash_runs "$(bench::json_numbers $hash_list)" \
        --argjson hash_cpu "$hash_cpu" --argjson floor "$floor" \
        --argjson cores "$(nproc)" \
        --argjson files "$MIRROR_FILES" --argjson file_bytes "$MIRROR_FILE_BYTES" --argjson big "$MIRROR_BIG_BYTES" \
        --argjson parallel "$MIRROR_PARALLEL" --argjson reps "$BENCH_REPS" \
        --arg nginx "$("$(bench::nginx_binary)" -v 2>&1 | sed 's/.*nginx\///')" \
        --arg rclone "$(rclone version 2>/dev/null | head -n 1)" --arg aria2 "$(aria2c --version | head -n 1)" \
        --arg curl "$(curl --version | head -n 1 | cut -d' ' -f1-2)" \
        '{benchmark: "mirror", date: $date, machine: $machine,
          setup: {files: $files, file_bytes: $file_bytes, big_file_bytes: $big, parallel_transfers: $parallel,
                  repetitions: $reps, nginx: $nginx, rclone: $rclone, aria2c: $aria2, curl: $curl,
                  agent_time_includes: "process start, /api/me, the 300-call metadata page, one URL request per recording, downloads, verification"},
          times: $tools, ratio_vs_rclone: $ratio, target_ratio_vs_rclone: 1.0,
          sha256_alone: {median_seconds: $hash, runs_seconds: $hash_runs, cores: $cores,
                         what: "openssl dgst -sha256 over the 300 files from the page cache, one process per core"},
          sha256_cpu_seconds: $hash_cpu,
          lowest_ratio_this_machine_allows: $floor,
          agent_peak_rss_mib: $rss, agent_peak_rss_runs_mib: $rss_runs, target_agent_peak_rss_mib: 64,
          refetch_after_kill_percent: $refetch, refetch_after_kill_runs: $refetch_runs,
          target_refetch_after_kill_percent: 1.0}')
    bench::write_result "$BENCH_RESULTS/mirror.json" "$json"
    {
        printf '\nMirror: %d recordings of %d bytes from nginx secure_link (median of %d)\n' \
            "$MIRROR_FILES" "$MIRROR_FILE_BYTES" "$BENCH_REPS"
        for tool in "${MIRROR_TOOLS[@]}"; do
            printf '  %-30s %8.3f s\n' "$tool" "$(jq -r --arg t "$tool" '.[$t].median_seconds' <<<"$tools_json")"
        done
        printf '  %-30s %8s   (target <= 1.0)\n' "ratio_vs_rclone" "$ratio"
        printf '  %-30s %8.3f s (on %d cores; the agent must, the others do not)\n' "sha256 of the 300 files alone" \
            "$(jq -r .sha256_alone.median_seconds <<<"$json")" "$(nproc)"
        printf '  %-30s %8s     (rclone'"'"'s machine CPU-s + %s CPU-s of SHA-256, over %d cores, / rclone'"'"'s time)\n' \
            "lowest ratio this machine allows" "$floor" "$hash_cpu" "$(nproc)"
        printf '  %-30s %8s MiB (target <= 64)\n' "agent peak RSS, 200 MiB file" "$(jq -r .agent_peak_rss_mib <<<"$json")"
        printf '  %-30s %8s %%   (target <= 1)\n' "re-fetched after kill at 50%" "$(jq -r .refetch_after_kill_percent <<<"$json")"
    } | tee "$BENCH_RUN/mirror-table.txt"
}
