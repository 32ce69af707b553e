# nginx for the benchmarks, from the same config as the tests (tests/nginx/secure-media.conf.in):
# one process, as the current user, everything inside a run directory, serving a directory
# behind secure_link. Links are signed here the way the reference server signs them.
# shellcheck shell=bash

BENCH_NGINX_TEMPLATE=$EARSHOT_ROOT/tests/nginx/secure-media.conf.in

bench::nginx_binary() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

# A port nothing listens on now (a connect is refused); nginx may still lose it to someone
# else before it binds, so bench::nginx_start tries again when that happens.
bench::unused_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
    done
    earshot::die "found no free loopback port"
}

# bench::nginx_start ROOT RUN_DIR: sets BENCH_NGINX_URL (http://127.0.0.1:PORT), the
# secret BENCH_NGINX_SECRET and the log BENCH_NGINX_LOG.
bench::nginx_start() {
    local root=$1 run=$2 nginx port secret pid
    nginx=$(bench::nginx_binary)
    [ -n "$nginx" ] || earshot::die "nginx is not installed (apt-get install nginx)"
    case "$root$run" in *[\"\$\\\;{}\|]*) earshot::die "nginx cannot take the path $root or $run" ;; esac
    secret=$(openssl rand -hex 16)
    mkdir -p "$run"
    for _ in 1 2 3; do
        port=$(bench::unused_port)
        rm -f "$run/nginx.pid"
        sed -e "s|@PREFIX@|$run|g" -e "s|@ROOT@|$root|g" -e "s|@PORT@|$port|g" -e "s|@SECRET@|$secret|g" \
            -e "s|@LISTEN_TLS@||g" -e "s|@TLS@||g" "$BENCH_NGINX_TEMPLATE" >"$run/nginx.conf"
        "$nginx" -p "$run/" -e "$run/error.log" -c "$run/nginx.conf" -g 'daemon off;' >"$run/nginx.out" 2>&1 &
        pid=$!
        bench::track "$pid"
        for _ in $(seq 1 100); do
            if [ -e "$run/nginx.pid" ] && curl -s -o /dev/null "http://127.0.0.1:$port/"; then
                BENCH_NGINX_URL=http://127.0.0.1:$port
                BENCH_NGINX_SECRET=$secret
                BENCH_NGINX_LOG=$run/access.log
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        grep -q 'Address already in use' "$run/nginx.out" "$run/error.log" 2>/dev/null || break
    done
    cat "$run/nginx.out" "$run/error.log" >&2 2>/dev/null || true
    earshot::die "nginx did not start (config: $run/nginx.conf)"
}

# base64url(md5(TEXT)) without padding: nginx's secure_link_md5 token.
bench::link_token() { printf '%s' "$1" | openssl md5 -binary | base64 -w0 | tr '+/' '-_' | tr -d '='; }

# bench::signed_url PATH EXPIRES: the link the reference server would hand out for
# ROOT/PATH, i.e. /media/PATH?md5=…&expires=…
bench::signed_url() {
    local uri="/media/$1"
    echo "$BENCH_NGINX_URL$uri?md5=$(bench::link_token "$2$uri $BENCH_NGINX_SECRET")&expires=$2"
}

# bench::directory_url DIR EXPIRES: one link for every file of ROOT/DIR, for clients that
# append file names to a base URL (rclone): /s/TOKEN/EXPIRES/DIR/
bench::directory_url() {
    echo "$BENCH_NGINX_URL/s/$(bench::link_token "$2/$1/ $BENCH_NGINX_SECRET")/$2/$1/"
}

bench::nginx_log_lines() { wc -l <"$BENCH_NGINX_LOG"; }

# bench::nginx_served FROM_LINE DIR FILE_BYTES [TO_LINE]: what nginx logged after line
# FROM_LINE (up to TO_LINE) for files under DIR: "FILES_SERVED_WHOLE ERROR_RESPONSES
# BODY_BYTES" (a file counts as whole when its GET bodies add up to FILE_BYTES or more).
bench::nginx_served() {
    sed -n "$(($1 + 1)),${4:-\$}p" "$BENCH_NGINX_LOG" | awk -F'\t' -v dir="/$2/" -v size="$3" '
        {
            split($1, request, " "); path = request[2]; sub(/\?.*/, "", path)
            if (index(path, dir) == 0) next
            if ($2 >= 400) errors++
            if (request[1] == "GET" && ($2 == 200 || $2 == 206)) {
                name = path; sub(/.*\//, "", name); bytes[name] += $3; total += $3
            }
        }
        END { for (name in bytes) if (bytes[name] >= size) whole++; printf "%d %d %d\n", whole, errors, total }'
}
