#!/usr/bin/env bash
# A run killed with SIGKILL cannot remove its record folder
# ($TMPDIR/leafpress-run-XXXXXX); the next build or check removes the
# folders of runs that are gone (their lock is free), and never one of a
# run still going (flock held) or one just made.
#
#   bash tests/killed_run.sh LEAFPRESS [BUILDDIR]      (from the repository root)
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
require_tools "util-linux" flock setsid
make_scratch
export TMPDIR=$scratch/tmp
mkdir -p "$TMPDIR"
unset SOURCE_DATE_EPOCH

runs() { (cd "$TMPDIR" && ls -d leafpress-run-* 2>/dev/null | sort | tr '\n' ' '); }

project=$scratch/proj
mkdir -p "$project/sources"
cp -R styles fonts "$project/"
[ -d profiles ] && cp -R profiles "$project/"
for i in $(seq -w 1 24); do
    {
        printf -- '---\ntitle: Folder %s\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2020-02\n---\n' "$i"
        printf '# Folder %s\n\n' "$i"
        for p in 1 2 3 4 5 6; do
            printf 'Deze folder vertelt u wat u kunt verwachten van het onderzoek in het ziekenhuis. '
            printf 'Neem bij vragen contact op met de polikliniek.\n\n'
        done
    } >"$project/sources/folder-$i.md"
done

# A build killed with SIGKILL once its record folder exists leaves it.
(cd "$project" && exec setsid "$leafpress" build -q -j2 -o out) >/dev/null 2>&1 &
main=$!
for _ in $(seq 1 200); do
    [ -n "$(runs)" ] && break
    sleep 0.05
done
kill -KILL "$main" 2>/dev/null
wait "$main" 2>/dev/null
sleep 0.5 # its workers die with it (PR_SET_PDEATHSIG), and with them the lock
left=$(runs)
if [ -n "$left" ]; then pass "a build killed with SIGKILL leaves its record folder ($left)"
else fail "a build killed with SIGKILL leaves its record folder" "none found in $TMPDIR"; fi

# Beside it: a run still going (its lock held, here by this script on fd
# 9), and a folder just made.
mkdir "$TMPDIR/leafpress-run-live00"
exec 9<"$TMPDIR/leafpress-run-live00"
flock 9
for d in $left leafpress-run-live00; do touch -d '1 minute ago' "$TMPDIR/$d"; done
sleep 0.3
mkdir "$TMPDIR/leafpress-run-new000"

status=0
(cd "$project" && "$leafpress" check -q sources/folder-01.md 9<&-) >"$scratch/err" 2>&1 || status=$?
exec 9<&-
after=$(runs)
if [ "$status" -eq 0 ]; then pass "the next check: exit 0"
else fail "the next check: exit 0" "exit $status: $(cat "$scratch/err")"; fi
if [ "$after" = "leafpress-run-live00 leafpress-run-new000 " ]; then
    pass "the next check removed the killed run's folder, kept the live and the new one, and its own"
else
    fail "the next check removed the killed run's folder, kept the live and the new one, and its own" \
        "before: $left leafpress-run-live00 leafpress-run-new000; after: $after"
fi

finish_tests
