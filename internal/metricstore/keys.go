package metricstore

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"
	"strings"
)

// Pebble key layout (all under "metrics/", the DB being shared):
//
//	metrics/s/<series key>                         → sid (8 B) + last write ms (8 B)   series index
//	metrics/r/<sid 8 B>                            → <series key>                     reverse index
//	metrics/d/<tier 1 B><window 8 B><sid 8 B><seq 8 B> → chunk (chunk.go)
//	metrics/m/gen                                  → last chunk sequence number
//	metrics/e/<lp(series key)><entity key>         → last seen + attributes      entity links (entity.go)
//
// <series key> is lp(account) lp(region) ord(namespace) ord(name)
// {ord(dim name) ord(dim value)}*: lp is a uvarint length and the bytes, so
// partitions can never collide; ord escapes 0x00 as 0x00 0xFF and ends with
// 0x00 0x01, so index keys sort by (namespace, name, dimensions) for
// ListMetrics pagination. The same bytes identify a series in memory.
// Windows and timestamps are Unix milliseconds with the sign bit flipped.
const (
	prefix       = "metrics/"
	prefixIndex  = "metrics/s/"
	prefixRev    = "metrics/r/"
	prefixData   = "metrics/d/"
	keyGen       = "metrics/m/gen"
	prefixEndAll = "metrics0" // '/'+1
)

func appendLP(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendOrd(b []byte, s string) []byte {
	for {
		i := indexNUL(s)
		if i < 0 {
			return append(append(b, s...), 0, 1)
		}
		b = append(append(b, s[:i]...), 0, 0xff)
		s = s[i+1:]
	}
}

// indexNUL is strings.IndexByte(s, 0), whose vector set-up costs more than
// a plain loop over the few bytes of most names and dimension values.
func indexNUL(s string) int {
	if len(s) > 32 {
		return strings.IndexByte(s, 0)
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

func appendPartition(b []byte, p Partition) []byte {
	return appendLP(appendLP(b, p.Account), p.Region)
}

// An encoded series key is the partition, then the namespace, metric name
// and (sorted) dimensions' names and values, each order-preserving
// (Store.encodeKey). appendSeriesRest appends what follows the namespace.
// Dims must be sorted.
//
// Append encodes every datum's key, so this is the hot path: it copies the
// parts as they are, terminated, into room made once, then counts the zero
// bytes of what it wrote, which are the terminators' alone unless a part
// held a NUL; only then does it escape (appendSeriesRestOrd). That is
// about half the cost of escaping part by part.
func appendSeriesRest(b []byte, k *SeriesKey) []byte {
	n := len(k.MetricName) + 2
	for i := range k.Dims {
		n += len(k.Dims[i].Name) + len(k.Dims[i].Value) + 4
	}
	start := len(b)
	b = slices.Grow(b, n)[:start+n]
	w := start + copy(b[start:], k.MetricName)
	b[w], b[w+1] = 0, 1
	w += 2
	for i := range k.Dims {
		w += copy(b[w:], k.Dims[i].Name)
		b[w], b[w+1] = 0, 1
		w += 2
		w += copy(b[w:], k.Dims[i].Value)
		b[w], b[w+1] = 0, 1
		w += 2
	}
	if zeroBytes(b[start:]) != 1+2*len(k.Dims) {
		return appendSeriesRestOrd(b[:start], k)
	}
	return b
}

// zeroBytes counts the zero bytes of b, eight at a time.
func zeroBytes(b []byte) int {
	const low7, high = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	n := 0
	for ; len(b) >= 8; b = b[8:] {
		v := binary.LittleEndian.Uint64(b)
		// A byte's high bit ends up set iff the byte is zero (no carries
		// cross bytes: each byte's low 7 bits + 0x7f ≤ 0xfe).
		n += bits.OnesCount64(^(((v & low7) + low7) | v) & high)
	}
	for _, c := range b {
		if c == 0 {
			n++
		}
	}
	return n
}

// appendSeriesRestOrd is appendSeriesRest escaping each part on its own.
func appendSeriesRestOrd(b []byte, k *SeriesKey) []byte {
	b = appendOrd(b, k.MetricName)
	for i := range k.Dims {
		b = appendOrd(b, k.Dims[i].Name)
		b = appendOrd(b, k.Dims[i].Value)
	}
	return b
}

func dimsSorted(d []Dim) bool {
	for i := 1; i < len(d); i++ {
		if d[i].Name < d[i-1].Name {
			return false
		}
	}
	return true
}

func sortedDims(d []Dim) []Dim {
	if dimsSorted(d) {
		return d
	}
	c := slices.Clone(d)
	slices.SortStableFunc(c, func(a, b Dim) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return c
}

var errBadKey = errors.New("metricstore: malformed series key")

func readLP(b []byte) (string, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, errBadKey
	}
	return string(b[k : k+int(n)]), b[k+int(n):], nil
}

func readOrd(b []byte) (string, []byte, error) {
	var out []byte
	for i := 0; i+1 < len(b); i++ {
		if b[i] != 0 {
			continue
		}
		switch b[i+1] {
		case 1:
			if out == nil {
				return string(b[:i]), b[i+2:], nil
			}
			out = append(out, b[:i]...)
			return string(out), b[i+2:], nil
		case 0xff:
			out = append(out, b[:i+1]...)
			b = b[i+2:]
			i = -1
		default:
			return "", nil, errBadKey
		}
	}
	return "", nil, errBadKey
}

// decodeSeriesKey parses an encoded series key.
func decodeSeriesKey(b []byte) (Partition, SeriesKey, error) {
	var p Partition
	var k SeriesKey
	var err error
	if p.Account, b, err = readLP(b); err != nil {
		return p, k, err
	}
	if p.Region, b, err = readLP(b); err != nil {
		return p, k, err
	}
	if k.Namespace, b, err = readOrd(b); err != nil {
		return p, k, err
	}
	if k.MetricName, b, err = readOrd(b); err != nil {
		return p, k, err
	}
	for len(b) > 0 {
		var d Dim
		if d.Name, b, err = readOrd(b); err != nil {
			return p, k, err
		}
		if d.Value, b, err = readOrd(b); err != nil {
			return p, k, err
		}
		k.Dims = append(k.Dims, d)
	}
	return p, k, nil
}

func ordTime(t int64) uint64   { return uint64(t) ^ (1 << 63) }
func unordTime(u uint64) int64 { return int64(u ^ (1 << 63)) }

// dataKey is metrics/d/<tier><window><sid><seq>.
func dataKey(b []byte, tier int, window int64, sid, seq uint64) []byte {
	b = append(b, prefixData...)
	b = append(b, byte(tier))
	b = binary.BigEndian.AppendUint64(b, ordTime(window))
	b = binary.BigEndian.AppendUint64(b, sid)
	return binary.BigEndian.AppendUint64(b, seq)
}

const dataKeyLen = len(prefixData) + 1 + 8 + 8 + 8

func parseDataKey(k []byte) (tier int, window int64, sid, seq uint64, ok bool) {
	if len(k) != dataKeyLen || string(k[:len(prefixData)]) != prefixData {
		return 0, 0, 0, 0, false
	}
	k = k[len(prefixData):]
	return int(k[0]), unordTime(binary.BigEndian.Uint64(k[1:])), binary.BigEndian.Uint64(k[9:]),
		binary.BigEndian.Uint64(k[17:]), true
}

func tierStart(tier int) []byte { return append([]byte(prefixData), byte(tier)) }

func revKey(sid uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefixRev), sid)
}

func floorDiv(t, d int64) int64 {
	q := t / d
	if t%d != 0 && (t < 0) != (d < 0) {
		q--
	}
	return q * d
}
