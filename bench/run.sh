#!/usr/bin/env bash
# The benchmark: builds bench/floor.c against leafpress's cairo, installs
# Typst 0.14 from npm into bench/typst/ (git-ignored; benchmark only), then
# runs bench/compare.py. Run from the repository root after `make compile`.
#   bash bench/run.sh [--runs N] [--quick]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${LEAFPRESS_BUILD:-build}
prefix=$(sed -n "s/^CAIRO_PREFIX:PATH=//p" "$build/CMakeCache.txt" 2>/dev/null || true)
[ -n "$prefix" ] || prefix=$PWD/build/deps/prefix
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046
cc -O2 -std=c17 -Wall -Wextra -o "$build/bench-floor" bench/floor.c \
    $(pkg-config --cflags --libs cairo pangocairo pangoft2 fontconfig) \
    -Wl,--disable-new-dtags,-rpath,"$prefix/lib"
if command -v npm >/dev/null && [ ! -d bench/typst/node_modules/@myriaddreamin/typst-ts-node-compiler ]; then
    mkdir -p bench/typst
    (cd bench/typst && { [ -f package.json ] || npm init -y >/dev/null; } &&
     npm install --no-audit --no-fund --loglevel=error @myriaddreamin/typst-ts-node-compiler@0.7.0 >/dev/null)
fi
exec python3 bench/compare.py --leafpress "$build/leafpress" --floor "$build/bench-floor" "$@"
