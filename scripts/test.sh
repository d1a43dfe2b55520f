#!/usr/bin/env bash
# Runs every test of the repository: the main module (unit, golden, e2e with
# the Go SDK, aws CLI and boto3), short fuzz runs of every decoder and parser,
# and the awsQuery-client module.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0

go vet ./...
go test -count=1 ./...

# Short fuzz runs: every fuzz target, a few seconds each.
fuzztime=${FUZZTIME:-5s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $target ($fuzztime)"
    # A short minimisation budget: the default (60 s per new input) can
    # outlast the whole run and stall the workers.
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 2s "$pkg" >"$log" 2>&1; then
      # The fuzzing engine itself sometimes reports "context deadline
      # exceeded" when the time is up mid-minimisation, with no failing
      # input; only a failing input is a finding.
      if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input' "$log"; then
        echo "  (fuzzing engine stopped at its deadline; no failing input)"
        continue
      fi
      cat "$log"
      exit 1
    fi
  done
done

# The awsQuery client (aws-sdk-go-v2 service/cloudwatch v1.52.8) lives in its own module.
for mod in $(find . -name go.mod -not -path ./go.mod -exec dirname {} \;); do
  echo "module $mod"
  (cd "$mod" && go test -count=1 ./...)
done
