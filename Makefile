# HAKMEM: allocator, workload drivers, harness and compare tools.
# Everything built lands in build/ (git-ignored).
.PHONY: all allocator debug workloads deps test clean

all: allocator workloads

allocator:
	$(MAKE) -C allocator

workloads:
	$(MAKE) -C workloads

# libhakmem with its HAKMEM_DEBUG checks: build/debug/libhakmem.so (and .a).
debug:
	$(MAKE) -C allocator debug

# The Debian packages of harness/deps.sh: installed when root on Debian, else named.
deps:
	@harness/deps.sh

# Each suite prints PASS/FAIL/SKIP lines; tests/run_tests.sh adds them up and
# closes with "N passed, M failed".
test: deps all debug
	@tests/run_tests.sh

clean:
	rm -rf build
