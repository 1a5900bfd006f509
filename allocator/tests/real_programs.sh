# Sourced by run.sh. Real programs under LD_PRELOAD=libhakmem.so: each runs
# once on glibc and once preloaded, and stdout, stderr and exit status must
# be the same. The scripts run with LD_PRELOAD exported, so every process
# they start (bash, git, sort, cc1, as, ld, ...) uses libhakmem.

# compare_run NAME SECONDS SCRIPT: SCRIPT is bash code run in a fresh
# directory, with $SRC, $BIN and $PY available.
compare_run() {
    local name=$1 limit=$2 script=$3
    selected "$name" || return 0
    if ! have_hak; then
        skip "$name" "build/libhakmem.so not built"
        return
    fi
    local ref=$WORK/$name.glibc log=$LOGS/$name.log
    mkdir -p "$WORK/$name-glibc" "$WORK/$name-hak"
    (cd "$WORK/$name-glibc" && SRC=$SRC BIN=$BIN PY=$PY WORK=$WORK timeout -k 5 "$limit" bash -c "$script") >"$ref" 2>&1
    local rc_ref=$?
    (cd "$WORK/$name-hak" && SRC=$SRC BIN=$BIN PY=$PY WORK=$WORK LD_PRELOAD=$HAK_SO \
        timeout -k 5 "$limit" bash -c "$script") >"$log" 2>&1
    local rc=$?
    # The runs differ only in the directory name; hide it.
    sed -i "s|$WORK/$name-glibc|DIR|g" "$ref"
    sed -i "s|$WORK/$name-hak|DIR|g" "$log"
    if [ $rc_ref -ne 0 ]; then
        fail "$name" "the reference run on glibc failed (exit $rc_ref): $(excerpt "$ref")"
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        fail "$name" "timed out after ${limit}s under libhakmem: $(excerpt "$log")"
    elif [ $rc -ne 0 ]; then
        fail "$name" "exit $rc under libhakmem (0 on glibc): $(excerpt "$log")"
    elif ! cmp -s "$ref" "$log"; then
        fail "$name" "output differs from the glibc run: $(diff "$ref" "$log" | head -4 | tr '\n' ' ' | cut -c1-300)"
    else
        pass "$name"
    fi
}

compare_run real-python 60 'PYTHONHASHSEED=0 $PY $SRC/real_python_churn.py'

# gcc: the binaries built must be identical byte for byte, and must run.
compare_run real-gcc 60 '
    cc -O2 -g0 -fno-builtin -pthread -I$SRC -o api_test $SRC/api_test.c $SRC/test_util.c $SRC/payload.c -lm &&
    cc -O2 -g0 -pthread -I$SRC -o stress_test $SRC/stress_test.c $SRC/test_util.c $SRC/payload.c \
        $SRC/handoff_queue.c -lm &&
    sha256sum api_test stress_test && env -u LD_PRELOAD ./api_test | tail -1'

compare_run real-git 60 '
    export HOME=$PWD GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.com \
        GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=t@example.com \
        GIT_AUTHOR_DATE="2024-01-02T03:04:05Z" GIT_COMMITTER_DATE="2024-01-02T03:04:05Z"
    set -e
    git init -q -b main repo && cd repo
    cp $SRC/*.c $SRC/*.h . && seq 1 200000 >numbers.txt
    git add . && git commit -q -m "first commit"
    sed -i "s/7/seven/g" numbers.txt && rm payload.c && echo "new file" >added.txt
    git add -A && git commit -q -m "second commit"
    git log --stat -p | sha256sum
    git log --format="%H %an %ad %s"
    git gc -q && git fsck --full --strict 2>&1
    git diff HEAD~1 --stat | tail -1'

# sort of a 50 MB file, in parallel, by text and by number.
compare_run real-sort 90 '
    env -u LD_PRELOAD awk "BEGIN { srand(7); for (i = 0; i < 2000000; i++)
        printf \"%08x %d %s\n\", int(rand() * 4294967296), int(rand() * 1000000), substr(\"sortmeplease\", 1 + int(rand() * 12)) }" >input.txt
    ls -l input.txt | awk "{ print \$5 }"
    LC_ALL=C sort --parallel=2 -S 200M input.txt | sha256sum
    LC_ALL=C sort --parallel=2 -k2,2n -k1,1 input.txt | sha256sum
    sort -u input.txt | sha256sum'
