package sqs

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The heap against a plain list under random adds, removals, visibility
// changes and pops.
func TestIndexOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := newIndex(false)
	var live []*msg
	seq := uint64(0)
	for step := range 20000 {
		switch op := r.IntN(10); {
		case op < 4:
			seq++
			m := &msg{seq: seq, state: state{Visible: r.Int64N(100)}}
			x.add(m)
			live = append(live, m)
		case op < 6 && len(live) > 0:
			i := r.IntN(len(live))
			x.remove(live[i])
			live = slices.Delete(live, i, i+1)
		case op < 8 && len(live) > 0:
			m := live[r.IntN(len(live))]
			m.Visible = r.Int64N(100)
			x.fix(m)
		default:
			now := r.Int64N(100)
			m := x.popVisible(now)
			want := earliest(live)
			switch {
			case want == nil || want.Visible > now:
				if m != nil {
					t.Fatalf("step %d: popped %d, nothing visible at %d", step, m.seq, now)
				}
			case m != want:
				t.Fatalf("step %d: popped %v, want %d", step, m, want.seq)
			default:
				x.push(m)
			}
		}
		if x.len() != len(live) || len(x.heap) != len(live) {
			t.Fatalf("step %d: index has %d/%d, want %d", step, x.len(), len(x.heap), len(live))
		}
	}
}

func earliest(ms []*msg) *msg {
	var best *msg
	for _, m := range ms {
		if best == nil || m.Visible < best.Visible || m.Visible == best.Visible && m.seq < best.seq {
			best = m
		}
	}
	return best
}

func TestRecordRoundTrip(t *testing.T) {
	rec := record{ID: "id", Sent: 1700000000123, Visible: 1700000005123, Sender: "AIDA", GroupID: "g", Trace: "Root=1",
		BodyMD5: [16]byte{1, 2, 3}, Body: "body \u00e9", Attrs: []attr{{"a", "String", "v"}, {"b", "Binary", "\x00\xff"}}}
	got, err := decodeRecord(rec.encode(nil))
	if err != nil || got.ID != rec.ID || got.Sent != rec.Sent || got.Visible != rec.Visible || got.Body != rec.Body ||
		got.BodyMD5 != rec.BodyMD5 || !slices.Equal(got.Attrs, rec.Attrs) || got.Trace != rec.Trace || got.GroupID != rec.GroupID {
		t.Fatalf("%+v %v", got, err)
	}
	b := rec.encode(nil)
	for i := range len(b) {
		if _, err := decodeRecord(b[:i]); err == nil {
			t.Fatalf("a record cut at %d decoded", i)
		}
	}
	st := state{Visible: 5, Count: 3, First: 1, LastRecv: 4}
	if got, err := decodeState(st.encode(nil)); err != nil || got != st {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestReceiptHandles(t *testing.T) {
	r := receipt{queue: 7, seq: 1 << 40, count: 3}
	got, ok := parseReceipt(r.String())
	if !ok || got != r {
		t.Fatalf("%+v %v", got, ok)
	}
	h := []byte(r.String())
	for i := range h {
		bad := slices.Clone(h)
		bad[i] ^= 1
		if _, ok := parseReceipt(string(bad)); ok {
			t.Fatalf("a handle with byte %d changed parsed", i)
		}
	}
}
