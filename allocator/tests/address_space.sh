# Sourced by run.sh. libhakmem must not need much static TLS of its own:
# libhakmem.so loads with dlopen into a running program.

if have_hak; then
    run_test dlopen 20 "$BIN/dlopen_test" "$HAK_SO"
elif selected dlopen; then
    skip dlopen "build/libhakmem.so not built"
fi
