package events

import (
	"sync"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
)

// A PutEvents call's memory, written for the garbage collector: the events
// it builds go in a buffer reused from call to call, and its answer is one
// allocation however many entries it has (up to the API's 10).

// putBuf is the buffer a PutEvents call builds its events (and its entries'
// compacted Details) in. It is recycled when the call returns: nothing
// keeps an event's bytes past it. The matcher reads them in place, an
// archive's Pebble batch copies them, and dispatch's deliveries copy them
// into a queue's message (a string) or an outbox payload (appendJob)
// before it returns.
type putBuf struct {
	evs    []byte
	detail []byte
}

var putBufs = sync.Pool{New: func() any { return new(putBuf) }}

// maxPooledPutBuf bounds what a recycled buffer may hold on to: a call of
// 10 ordinary events needs a few KB; one of 256 KB is not kept.
const maxPooledPutBuf = 32 << 10

func getPutBuf(size int) *putBuf {
	pb := putBufs.Get().(*putBuf)
	if cap(pb.evs) < size {
		pb.evs = make([]byte, 0, size)
	}
	pb.evs = pb.evs[:0]
	return pb
}

func (pb *putBuf) release() {
	if cap(pb.evs) > maxPooledPutBuf || cap(pb.detail) > maxPooledPutBuf {
		return
	}
	pb.evs, pb.detail = pb.evs[:0], pb.detail[:0]
	putBufs.Put(pb)
}

// maxEntries is PutEvents' limit on entries (the model's list length): the
// answer of a call within it is one allocation.
const maxEntries = 10

// putEventsAnswer is PutEvents' answer with its entries, their event ids
// and its failure count, allocated at once.
type putEventsAnswer struct {
	out     eventsapi.PutEventsResponse
	failed  int32
	entries [maxEntries]eventsapi.PutEventsResultEntry
	ids     [maxEntries]string
}

// newAnswer returns an answer for n entries and the event ids of its
// entries, to be filled in (an entry's EventId points at its slot).
func newAnswer(n int) (*eventsapi.PutEventsResponse, []string) {
	if n > maxEntries {
		out := &eventsapi.PutEventsResponse{Entries: make([]eventsapi.PutEventsResultEntry, n), FailedEntryCount: new(int32)}
		return out, make([]string, n)
	}
	a := new(putEventsAnswer)
	a.out.Entries = a.entries[:n:n]
	a.out.FailedEntryCount = &a.failed
	return &a.out, a.ids[:n:n]
}

// hasSpace reports whether v has a byte <= ' ': in valid JSON, exactly the
// white space bytes (a control byte is refused unescaped), so for the
// Details appendCompactFast sees it says what strings.ContainsAny(v,
// " \t\n\r") says, eight bytes at a time.
func hasSpace(v string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := load64(v, i)
		// A byte below 0x21 borrows into its high bit, which it did not
		// have set (bytes >= 0x80 are not white space).
		if (x-ones*0x21)&^x&highs != 0 {
			return true
		}
	}
	for ; i < len(v); i++ {
		if v[i] <= ' ' {
			return true
		}
	}
	return false
}

// load64 reads v[i:i+8] little endian (one load: the compiler combines
// the bytes'). v must have 8 bytes at i.
func load64(v string, i int) uint64 {
	v = v[i : i+8]
	return uint64(v[0]) | uint64(v[1])<<8 | uint64(v[2])<<16 | uint64(v[3])<<24 |
		uint64(v[4])<<32 | uint64(v[5])<<40 | uint64(v[6])<<48 | uint64(v[7])<<56
}
