package arena

import (
	"hash/maphash"
	"unicode/utf8"
)

// internTable is the set of short strings a decode has seen: open
// addressing over a power-of-two slice, which costs about half of a map's
// lookup for the few-byte names and values a large call repeats thousands
// of times. An empty string is never stored, so an empty slot is one whose
// string is empty.
type internTable struct {
	slots []internSlot
	n     int
}

type internSlot struct {
	hash uint64
	s    string
	// utf8 records that s was checked to be valid UTF-8, so Text need not
	// check the same bytes again.
	utf8 bool
	// p is TextPointer's pointer to s, made on first use.
	p *string
}

var internSeed = maphash.MakeSeed()

const firstSlots = 16

// find returns the slot holding b, or the empty slot where b belongs.
func (t *internTable) find(b []byte, h uint64) *internSlot {
	mask := len(t.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.s == "" || sl.hash == h && sl.s == string(b) {
			return sl
		}
	}
}

// intern returns the shared copy of b (len(b) in 1..internMax) and its slot,
// adding b when it is new and the table has room; the slot is nil when it
// had none.
func (t *internTable) intern(b []byte) (string, *internSlot) {
	if t.slots == nil {
		t.slots = make([]internSlot, firstSlots)
	}
	h := maphash.Bytes(internSeed, b)
	sl := t.find(b, h)
	if sl.s != "" {
		return sl.s, sl
	}
	s := string(b)
	if t.n >= internLimit {
		return s, nil
	}
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
		sl = t.find(b, h)
	}
	*sl = internSlot{hash: h, s: s}
	t.n++
	return s, sl
}

func (t *internTable) grow() {
	old := t.slots
	t.slots = make([]internSlot, 2*len(old))
	mask := len(t.slots) - 1
	for _, sl := range old {
		if sl.s == "" {
			continue
		}
		i := int(sl.hash) & mask
		for t.slots[i].s != "" {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// Text returns b as a string if it is valid UTF-8, sharing one copy among
// equal short strings of this decode like String; bytes already seen by
// Text are not checked again.
func (a *Arena) Text(b []byte) (string, bool) {
	s, _, ok := a.text(b)
	return s, ok
}

// TextPointer is Text for an optional member: it returns a pointer to the
// string, one pointer shared by every equal short string of this decode (a
// large call repeats a few names thousands of times). What it points to
// must therefore never be written.
func (a *Arena) TextPointer(b []byte) (*string, bool) {
	s, sl, ok := a.text(b)
	if !ok {
		return nil, false
	}
	if sl == nil {
		p := a.NewString()
		*p = s
		return p, true
	}
	if sl.p == nil {
		sl.p = a.NewString()
		*sl.p = s
	}
	return sl.p, true
}

// text is Text, with the slot of an interned string (nil when it is not).
func (a *Arena) text(b []byte) (string, *internSlot, bool) {
	if len(b) == 0 || len(b) > internMax {
		return string(b), nil, utf8.Valid(b)
	}
	s, sl := a.intern.intern(b)
	if sl != nil && sl.utf8 {
		return s, sl, true
	}
	if !utf8.Valid(b) {
		return "", nil, false
	}
	if sl != nil {
		sl.utf8 = true
	}
	return s, sl, true
}

// Reset readies the arena for another decode. It keeps only the memory of
// its intern table, which holds no memory it handed out, so what an earlier
// decode received stays valid.
func (a *Arena) Reset() {
	slots := a.intern.slots
	clear(slots)
	*a = Arena{intern: internTable{slots: slots}}
}
