VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/richs/richsops/cli.Version=$(VERSION)
GO ?= go

.PHONY: build build-demo install test demo vet fmt bench clean

# One binary, every command and the console. Static (no cgo): nothing needs
# libc, and a static binary starts faster (no dynamic loader, see
# BENCHMARKS.md, 4a).
build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/richsops .

# The demo sandbox and its stand-ins are a binary of their own, so that none
# of it is linked into the product (docs/demo.md).
build-demo:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/richsops-demo ./cmd/richsops-demo

# make install [PREFIX=/usr/local]: the binary into PREFIX/bin.
PREFIX ?= /usr/local
install: build
	install -D -m 0755 bin/richsops $(DESTDIR)$(PREFIX)/bin/richsops

# make test: what CI runs. Integration tests start their own mariadbd,
# redis-server, sshd and pm2 and skip with a reason only when the binary is
# missing (.ci/run installs them all).
test: build build-demo
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	./scripts/tmux-demo-test.sh bin/richsops-demo
	./scripts/tmux-hostile-test.sh bin/richsops

demo: build-demo
	./bin/richsops-demo

fmt:
	gofmt -w $$(git ls-files '*.go')

bench: build
	@echo "see BENCHMARKS.md: each bench/*.sh prints its figures"

clean:
	rm -rf bin
