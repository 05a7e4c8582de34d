#!/usr/bin/env bash
# Checks that the Debian packages leafpress needs are installed, and installs
# the missing ones when run as root (as CI is). Otherwise prints the one
# command to run and fails. Fast when nothing is missing: one dpkg-query.
#
# Usage: scripts/prereqs.sh [--list]   (--list prints the package list)
set -euo pipefail

# Debian 12 (bookworm) package names, one per purpose; README.md's dependency table says
# what each is for. Keep the two in step.
PACKAGES=(
    # toolchain
    gcc libc6-dev make cmake ninja-build pkg-config
    # building cairo 1.18 (scripts/build-cairo.sh): meson runs on python3,
    # the source comes as .tar.xz
    python3 xz-utils
    libpixman-1-dev libpng-dev zlib1g-dev libfreetype-dev libfontconfig-dev libglib2.0-dev
    # leafpress itself
    libpango1.0-dev libcairo2-dev libyaml-dev libmd4c-dev libhyphen-dev hyphen-nl
    libqpdf-dev librsvg2-dev
    # tests
    libcmocka-dev libpoppler-glib-dev poppler-utils
)

if [ "${1:-}" = "--list" ]; then
    printf '%s\n' "${PACKAGES[@]}"
    exit 0
fi

say() { printf 'prereqs: %s\n' "$*"; }

if ! command -v dpkg-query >/dev/null 2>&1; then
    say "this is not a Debian system; install the equivalents of these Debian 12 packages:" >&2
    say "  ${PACKAGES[*]}" >&2
    exit 1
fi

# One call for all packages; unknown names are simply absent from the output.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null \
            | awk '$2 == "install" && $4 == "installed" { print $1 }' || true)
missing=()
for p in "${PACKAGES[@]}"; do
    if ! grep -qxF -- "$p" <<<"$installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}" >&2
    say "install them with this command, then run make again:" >&2
    printf 'sudo apt-get install --no-install-recommends %s\n' "${missing[*]}" >&2
    exit 1
fi

say "installing ${#missing[@]} missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
start=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"; } </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "apt-get failed (last lines above)" >&2
    exit 1
fi
say "installed in $((SECONDS - start)) s"
