VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/richs/richsops/cli.Version=$(VERSION)
GO ?= go

.PHONY: build test demo vet fmt bench clean

# Static (no cgo): nothing needs libc, and a static binary starts faster
# (no dynamic loader: about 1 ms less per start, see BENCHMARKS.md, 4a).
build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/richsops .

# make test: what CI runs. Integration tests start their own mariadbd,
# redis-server, sshd and pm2 and skip with a reason only when the binary is
# missing (.ci/run installs them all).
test: build
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	cd third_party/bubbletea && $(GO) test -count=1 ./...   # upstream's tests on our patched copy
	./scripts/tmux-demo-test.sh bin/richsops

demo: build
	./bin/richsops demo

fmt:
	gofmt -w $$(git ls-files '*.go')

bench: build
	@echo "see BENCHMARKS.md: each bench/*.sh prints its figures"

clean:
	rm -rf bin
