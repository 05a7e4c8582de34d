#!/usr/bin/env bash
# batch-scaling: N trivial generated leaflets, built with -j1 and -j2, to
# show that the batch scheduler costs nothing per leaflet (it once called
# stat() O(n^2) times: 4,000 leaflets took 34.6 s with -j2, 4.3 s with -j1).
# A measurement, not a test: prints the wall time of each run.
#
#   bash bench/batch-scaling.sh LEAFPRESS [N=4000] [KINDS=--screen-only]
#
# KINDS: options for the kinds of output, e.g. "" for all of them.
set -eu
leafpress=${1:?usage: bash bench/batch-scaling.sh LEAFPRESS [N] [KINDS]}
n=${2:-4000}
kinds=${3---screen-only}
case $leafpress in /*) ;; *) leafpress=$PWD/$leafpress ;; esac
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/leafpress-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/styles"
cp "$repo"/styles/*.yaml "$work/styles/"
ln -s "$repo/fonts" "$work/fonts"
for i in $(seq -w 1 "$n"); do
    printf -- '---\ntitle: Folder %s\nlang: nl-NL\npublisher: Testziekenhuis\nupdated: 2024-01\nsubject: Een proef.\nkeywords: [proef]\n---\n# Folder %s\n\nEen korte folder.\n' "$i" "$i" >"$work/sources/f$i.md"
done
unset CI SOURCE_DATE_EPOCH
cd "$work"
for j in 1 2; do
    rm -rf output
    # wall time, and CPU time: on a shared machine the wall time also
    # counts the time other processes had the cores
    /usr/bin/time -f "$n leaflets ${kinds:-(all kinds)} -j$j: %e s wall, %U s user, %S s system, %M KiB" \
        "$leafpress" build -q -j$j $kinds
done
