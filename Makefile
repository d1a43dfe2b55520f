# Vigil — the two commands a fresh machine needs: `make run` and `make test`.
GO ?= go
export CGO_ENABLED = 0

.PHONY: run test build generate setup fuzz bench

build:
	$(GO) build -o bin/vigil ./cmd/vigil

run: build
	./bin/vigil server --addr 127.0.0.1:4566 --data ./vigil-data

# setup installs what the tests drive besides Go: the aws CLI and boto3
# (skipped when present).
setup:
	./scripts/setup.sh

# test runs every test: unit, golden, short fuzz runs, and the end-to-end
# suites with the Go SDK (CBOR/JSON/query), the aws CLI and boto3.
test: setup
	./scripts/test.sh

generate:
	$(GO) run ./internal/gen

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/gateway/ ./internal/protocol/... ./internal/auth/
