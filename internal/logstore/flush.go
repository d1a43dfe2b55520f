package logstore

import "slices"

// The flush's CPU per MB is part of what ingest costs (the server's
// PutLogEvents budget counts the background work too). A flush used to
// sort the whole head with pdqsort, copy all of it into one sorted Block
// (64 MiB, freshly allocated and faulted in at each flush) and then cut
// that into blocks; it now sorts by merging the head's sorted runs and
// builds each block straight from the head into buffers reused from block
// to block, which stay in cache. The blocks are the same, byte for byte.

// rowKey is a head row's sort key: (ts, seq), then its index.
type rowKey struct {
	ts  int64
	seq uint64
	i   int
}

func (a rowKey) less(b rowKey) bool { return a.ts < b.ts || a.ts == b.ts && a.seq < b.seq }

// order returns the indexes of h's rows selected by sel (nil: all), sorted
// by (timestamp, seq).
func (h *head) order(sel func(i int) bool) []int {
	keys := make([]rowKey, 0, h.len())
	for i := range h.len() {
		if sel != nil && !sel(i) {
			continue
		}
		keys = append(keys, rowKey{h.ts[i], h.seq[i], i})
	}
	keys = sortRowKeys(keys)
	idx := make([]int, len(keys))
	for j, k := range keys {
		idx[j] = k.i
	}
	return idx
}

// sortRowKeys sorts keys (distinct seqs) and returns them sorted, in keys
// or in a buffer of its own. A head is a sequence of sorted runs (each
// Append's events, in time order as PutLogEvents requires), so it merges
// the runs pairwise, bottom up: a few passes over the keys instead of a
// general sort (which took 5% of a flush).
func sortRowKeys(keys []rowKey) []rowKey {
	// bounds[j] is where run j starts; the last entry is len(keys).
	bounds := []int{0}
	for i := 1; i < len(keys); i++ {
		if keys[i].less(keys[i-1]) {
			bounds = append(bounds, i)
		}
	}
	bounds = append(bounds, len(keys))
	if len(bounds) == 2 {
		return keys
	}
	if len(bounds) > len(keys)/8 {
		// Short runs (a head of shuffled single events): a general sort
		// is the better one.
		slices.SortFunc(keys, func(a, b rowKey) int {
			switch {
			case a.less(b):
				return -1
			case b.less(a):
				return 1
			}
			return 0
		})
		return keys
	}
	src, dst := keys, make([]rowKey, len(keys))
	for len(bounds) > 2 {
		next := bounds[:1] // written behind the reads
		for j := 0; j+1 < len(bounds); j += 2 {
			lo := bounds[j]
			if j+2 >= len(bounds) {
				hi := bounds[j+1]
				copy(dst[lo:hi], src[lo:hi])
				next = append(next, hi)
				continue
			}
			mid, hi := bounds[j+1], bounds[j+2]
			mergeRowKeys(dst[lo:hi], src[lo:mid], src[mid:hi])
			next = append(next, hi)
		}
		bounds = next
		src, dst = dst, src
	}
	return src
}

// mergeRowKeys merges the sorted a and b into dst (len(a)+len(b)).
func mergeRowKeys(dst, a, b []rowKey) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if b[j].less(a[i]) {
			dst[k] = b[j]
			j++
		} else {
			dst[k] = a[i]
			i++
		}
		k++
	}
	k += copy(dst[k:], a[i:])
	copy(dst[k:], b[j:])
}

// rowsInto fills b with the rows idx of h, in that order, reusing b's
// buffers but for Streams, which is new (block references keep it).
// remap is scratch of len(h.streams).
func (h *head) rowsInto(b *Block, group string, idx []int, remap []int32) {
	n := len(idx)
	b.Group = group
	b.Streams = nil
	b.Stream = slices.Grow(b.Stream[:0], n)
	b.Timestamp = slices.Grow(b.Timestamp[:0], n)
	b.IngestionTime = slices.Grow(b.IngestionTime[:0], n)
	b.Seq = slices.Grow(b.Seq[:0], n)
	b.Offsets = append(slices.Grow(b.Offsets[:0], n+1), 0)
	size := 0
	for _, i := range idx {
		size += int(h.loc[i].len)
	}
	b.Msgs = slices.Grow(b.Msgs[:0], size)
	clear(remap) // head stream → block stream + 1
	for _, i := range idx {
		hs := h.stream[i]
		if remap[hs] == 0 {
			b.Streams = append(b.Streams, h.streams[hs])
			remap[hs] = int32(len(b.Streams))
		}
		b.Stream = append(b.Stream, uint32(remap[hs]-1))
		b.Timestamp = append(b.Timestamp, h.ts[i])
		b.IngestionTime = append(b.IngestionTime, h.ingest[i])
		b.Seq = append(b.Seq, h.seq[i])
		b.Msgs = append(b.Msgs, h.msg(i)...)
		b.Offsets = append(b.Offsets, uint32(len(b.Msgs)))
	}
}

// blockRows returns how many of the sorted rows idx of h go into the next
// block: up to blockBytes of messages (at least one row), at most 2^16
// rows.
func (h *head) blockRows(idx []int, blockBytes int) int {
	k, bytes := 0, 0
	for k < len(idx) && k < 1<<16 {
		l := int(h.loc[idx[k]].len)
		if k > 0 && bytes+l > blockBytes {
			break
		}
		bytes += l
		k++
	}
	return k
}

// successor returns the empty head that replaces h at a flush, its row
// columns sized for as many rows as h has: the next head most likely
// fills as h did, and growing them by doubling copied each ~2 times.
func (h *head) successor() *head {
	n := h.len()
	return &head{streamIdx: map[string]uint32{}, ts: make([]int64, 0, n), ingest: make([]int64, 0, n),
		seq: make([]uint64, 0, n), stream: make([]uint32, 0, n), loc: make([]msgLoc, 0, n)}
}
