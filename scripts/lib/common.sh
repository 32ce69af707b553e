# Shared by scripts/demo, scripts/test and scripts/bench: install what is missing, build.
# shellcheck shell=bash

EARSHOT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EARSHOT_BUILD_DIR=${EARSHOT_BUILD_DIR:-$EARSHOT_ROOT/build}

# Debian 12 packages: the toolchain, Qt 6.4, QtKeychain, libcurl, SQLite, the
# GStreamer plugins Qt Multimedia plays through, and what tests and the demo run
# (Xvfb, a D-Bus session with GNOME Keyring, espeak-ng/sox/ffmpeg for speech fixtures).
EARSHOT_PACKAGES=(
    g++ cmake ninja-build pkgconf git ca-certificates
    qt6-base-dev qt6-base-dev-tools qt6-multimedia-dev qt6-httpserver-dev qt6-websockets-dev qt6-tools-dev qt6-l10n-tools
    qtkeychain-qt6-dev libcurl4-openssl-dev libsqlite3-dev libsodium-dev libsimdjson-dev libgl-dev
    libqt6sql6-sqlite libqt6svg6 qt6-qpa-plugins dpkg-dev
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
    xvfb xauth dbus-daemon dbus-x11 gnome-keyring
    espeak-ng sox libsox-fmt-mp3 ffmpeg sqlite3 curl nginx openssl fonts-dejavu-core
)

earshot::log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
earshot::die() { printf 'error: %s\n' "$*" >&2; exit 1; }

earshot::as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else earshot::die "need root to run: $* (install sudo or run as root)"
    fi
}

# Installs only what is missing, so a machine that has everything pays a dpkg query.
earshot::install_packages() {
    local missing=() pkg
    for pkg in "${EARSHOT_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || earshot::die "missing packages ${missing[*]} and no apt-get: install them by hand"
    earshot::log "Installing ${missing[*]}"
    earshot::as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive earshot::as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# earshot::build [TARGET...]: everything, or only the named targets.
earshot::build() {
    local werror=${EARSHOT_WERROR:-OFF} targets=()
    [ $# -gt 0 ] && targets=(--target "$@")
    [ "${CI:-}" = true ] && werror=ON
    earshot::log "Configuring and building in $EARSHOT_BUILD_DIR"
    cmake -S "$EARSHOT_ROOT" -B "$EARSHOT_BUILD_DIR" -G Ninja \
        -DCMAKE_BUILD_TYPE="${EARSHOT_BUILD_TYPE:-RelWithDebInfo}" -DEARSHOT_WERROR="$werror" >/dev/null
    cmake --build "$EARSHOT_BUILD_DIR" --parallel "$(nproc)" "${targets[@]}"
}

