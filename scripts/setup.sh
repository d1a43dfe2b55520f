#!/usr/bin/env bash
# Installs what the test suites need besides Go and its modules (which the Go
# toolchain fetches by itself): python3 with boto3, and the aws CLI.
set -euo pipefail
need_pip=()
python3 -c 'import boto3' 2>/dev/null || need_pip+=(boto3)
command -v aws >/dev/null 2>&1 || need_pip+=(awscli)
if [ ${#need_pip[@]} -gt 0 ]; then
  if ! command -v python3 >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3 python3-pip
  fi
  # Debian's packages when pip's index is out of reach.
  python3 -m pip install --quiet "${need_pip[@]}" 2>/dev/null || {
    apt-get update -qq && apt-get install -y -qq python3-boto3 awscli
  }
fi
go mod download
(cd test/queryclient && go mod download)
