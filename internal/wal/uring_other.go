//go:build !linux

package wal

import "errors"

func newSyncer() (syncer, error) { return nil, errors.New("wal: io_uring is Linux's") }
