# Sourced by run.sh. Knobs and stats of libhakmem, checked on stats_probe:
# quiet by default, HAKMEM_VERBOSE=1 prints every knob with its value, an
# invalid value warns naming the knob and keeps the default,
# HAKMEM_STATS=json prints one parseable JSON line, HAKMEM_STATS=1 a table.
KNOBS="HAKMEM_TINY_REFILL HAKMEM_MID_REFILL_KB HAKMEM_WARM_POOL_SIZE HAKMEM_POOL_TLS_ARENA_MB_INIT HAKMEM_POOL_TLS_ARENA_MB_MAX
HAKMEM_POOL_TLS_ARENA_GROWTH_LEVELS HAKMEM_PURGE_DELAY_MS"

# probe NAME VAR=VALUE...: runs stats_probe under libhakmem with those
# variables; stdout in $LOGS/NAME.out, stderr in $LOGS/NAME.err. False if
# the probe itself failed (then it has already printed the FAIL line).
probe() {
    local name=$1
    shift
    timeout -k 5 20 env "$@" LD_PRELOAD="$HAK_SO" "$BIN/stats_probe" >"$LOGS/$name.out" 2>"$LOGS/$name.err"
    local rc=$?
    if [ $rc -ne 0 ] || ! grep -q '^stats_probe: done' "$LOGS/$name.out"; then
        fail "$name" "stats_probe exit $rc with $*: $(excerpt "$LOGS/$name.err")"
        return 1
    fi
}

# The line of verbose output that shows a knob.
knob_line() { grep -m1 -w "$1" "$2"; }

knob_tests() {
    local t name
    if selected knobs-quiet-by-default && probe knobs-quiet-by-default; then
        if [ -s "$LOGS/knobs-quiet-by-default.err" ]; then
            fail knobs-quiet-by-default "stderr not empty without HAKMEM_ variables: $(excerpt "$LOGS/knobs-quiet-by-default.err")"
        else
            pass knobs-quiet-by-default
        fi
    fi

    name=knobs-verbose
    if selected $name && probe $name HAKMEM_VERBOSE=1; then
        local missing=""
        for k in $KNOBS; do
            knob_line "$k" "$LOGS/$name.err" >/dev/null || missing="$missing $k"
        done
        if [ -n "$missing" ]; then
            fail $name "HAKMEM_VERBOSE=1 does not print:$missing"
        elif ! knob_line HAKMEM_TINY_REFILL "$LOGS/$name.err" | grep -qw 64; then
            fail $name "HAKMEM_TINY_REFILL not shown with its default 64: $(knob_line HAKMEM_TINY_REFILL "$LOGS/$name.err")"
        else
            pass $name
        fi
    fi

    name=knobs-set-value
    if selected $name && probe $name HAKMEM_VERBOSE=1 HAKMEM_TINY_REFILL=32 HAKMEM_PURGE_DELAY_MS=250; then
        local refill delay
        refill=$(knob_line HAKMEM_TINY_REFILL "$LOGS/$name.err")
        delay=$(knob_line HAKMEM_PURGE_DELAY_MS "$LOGS/$name.err")
        if ! grep -qw 32 <<<"$refill" || ! grep -qw 250 <<<"$delay"; then
            fail $name "set values not shown: '$refill' / '$delay'"
        elif grep -qiE 'warn|invalid' "$LOGS/$name.err"; then
            fail $name "valid values draw a warning: $(grep -m1 -iE 'warn|invalid' "$LOGS/$name.err")"
        else
            pass $name
        fi
    fi

    # Every knob, with a non-number and an out-of-range value.
    for bad in banana 99999999999999; do
        name=knobs-invalid-$bad
        selected $name || continue
        local unnamed="" ok=1
        for k in $KNOBS; do
            probe $name "$k=$bad" || { ok=0; break; }
            grep -w "$k" "$LOGS/$name.err" | grep -qiE 'warn|invalid|ignor|range' || unnamed="$unnamed $k"
        done
        [ $ok = 1 ] || continue
        if [ -n "$unnamed" ]; then
            fail $name "no warning naming the knob for$unnamed=$bad"
        else
            pass $name
        fi
    done

    name=knobs-invalid-keeps-default
    if selected $name && probe $name HAKMEM_VERBOSE=1 HAKMEM_TINY_REFILL=banana; then
        # The line showing the final value (not the warning) must say 64.
        t=$(grep -w HAKMEM_TINY_REFILL "$LOGS/$name.err" | grep -viE 'warn|invalid|ignor' | head -1)
        if grep -qw 64 <<<"$t"; then
            pass $name
        else
            fail $name "after HAKMEM_TINY_REFILL=banana the value shown is not the default 64: '$t'"
        fi
    fi

    name=stats-json
    if selected $name && probe $name HAKMEM_STATS=json; then
        local why
        if why=$($PY "$SRC/check_stats_json.py" "$LOGS/$name.err"); then
            pass $name
        else
            fail $name "$(tr '\n' ';' <<<"$why")"
        fi
    fi

        # A program started with stderr closed, that later opens a file of its own
    # as fd 2: the stats at exit must not land in that file.
    name=stats-not-into-user-fd2
    if selected $name; then
        local user_file=$LOGS/$name.user-file
        timeout -k 5 20 env HAKMEM_STATS=json LD_PRELOAD="$HAK_SO" /bin/bash -c \
            'exec 2>"$1"; echo user-line >&2' bash "$user_file" 2>&-
        local rc=$?
        if [ $rc -ne 0 ]; then
            fail $name "bash with HAKMEM_STATS=json exit $rc"
        elif [ "$(cat "$user_file")" != user-line ]; then
            fail $name "the program's own fd 2 file holds more than its line: $(head -c 200 "$user_file" | tr '\n' ' ')"
        else
            pass $name
        fi
    fi

    # HAKMEM_MID_REFILL_KB acts: 20000-B blocks, refills counted by the stats.
    name=knobs-mid-refill-acts
    if selected $name; then
        local small large
        small=$(mid_refills 16) large=$(mid_refills 1024)
        if [ -z "$small" ] || [ -z "$large" ]; then
            fail $name "no refill count in HAKMEM_STATS=json (see $LOGS/$name.err)"
        elif [ "$small" -le $((4 * large)) ]; then
            fail $name "refills with 16 KiB ($small) not well above those with 1024 KiB ($large)"
        else
            pass $name
        fi
    fi

    name=stats-text
    if selected $name && probe $name HAKMEM_STATS=1; then
        if grep -q '^{"hakmem_stats":' "$LOGS/$name.err"; then
            fail $name "HAKMEM_STATS=1 printed the JSON form"
        elif ! grep -qi 'malloc' "$LOGS/$name.err" || [ "$(wc -l <"$LOGS/$name.err")" -lt 3 ]; then
            fail $name "HAKMEM_STATS=1 printed no table of mallocs per class: $(excerpt "$LOGS/$name.err")"
        else
            pass $name
        fi
    fi
    # allocator/README.md's knob table is what HAKMEM_HELP=1 prints (knob_table.py --write regenerates it).
    run_test knobs-readme-table 30 $PY "$SRC/knob_table.py" "$HAK_SO"
}

# mid_refills KB: totals.refills of random_mixed over 20000-B blocks with HAKMEM_MID_REFILL_KB=KB.
mid_refills() {
    HAKMEM_MID_REFILL_KB=$1 HAKMEM_STATS=json LD_PRELOAD="$HAK_SO" "$TOP/build/workloads/random_mixed" \
        --iterations=20000 --ws=64 --min=20000 --max=20000 --warmup=0 2>"$LOGS/knobs-mid-refill-acts.err" >/dev/null &&
        $PY -c 'import json, sys; print(json.loads(sys.stdin.readline())["totals"]["refills"])' \
            <"$LOGS/knobs-mid-refill-acts.err" 2>/dev/null
}

if have_hak; then
    knob_tests
else
    for t in knobs-quiet-by-default knobs-verbose knobs-set-value knobs-invalid-banana \
        knobs-invalid-99999999999999 knobs-invalid-keeps-default knobs-mid-refill-acts stats-json stats-text \
        stats-not-into-user-fd2 knobs-readme-table; do
        selected $t && skip $t "build/libhakmem.so not built"
    done
fi
