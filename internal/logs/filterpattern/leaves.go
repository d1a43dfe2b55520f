package filterpattern

import (
	"bytes"
	"unsafe"
)

// A JSON pattern whose selectors all name top-level properties ($.name) can
// be evaluated on values already split out of an event — the log store's
// columns — instead of on the event's text. TopLevelKeys says whether a
// pattern is one and which property each selector leaf reads;
// MatchLeaves evaluates it on those properties' values.

// LeafKind is what a selector found.
type LeafKind uint8

const (
	LeafMissing   LeafKind = iota // the event has no such property
	LeafString                    // Text: the content between the quotes, escapes as written
	LeafScalar                    // Text: a number, true, false or null as written
	LeafContainer                 // an object or array
)

// JSONLeaf is the value a top-level selector found in an event.
type JSONLeaf struct {
	Kind LeafKind
	Text []byte
}

// TopLevelKeys returns, for a JSON pattern whose every selector is a
// top-level property, each leaf's property in leaf order (MatchLeaves'
// order); false for any other pattern.
func (p *Pattern) TopLevelKeys() ([]string, bool) {
	if p.json == nil {
		return nil, false
	}
	t := &p.json.trie
	keys := make([]string, t.nleaf)
	root := &t.nodes[0]
	if len(root.idxs) > 0 || root.leaf >= 0 {
		return nil, false
	}
	for k, kid := range root.kkids {
		n := &t.nodes[kid]
		if n.leaf < 0 || len(n.keys) > 0 || len(n.idxs) > 0 {
			return nil, false
		}
		keys[n.leaf] = root.keys[k]
	}
	return keys, true
}

// MatchLeaves evaluates a pattern TopLevelKeys accepted on the values its
// leaves found, as Match would on an event holding them. scratch is
// working space, returned (possibly grown) for the next call.
func (p *Pattern) MatchLeaves(leaves []JSONLeaf, scratch []byte) (bool, []byte) {
	jp := p.json
	var buf [16]jval
	vals := buf[:0]
	scratch = scratch[:0]
	for _, l := range leaves {
		v := jval{start: int32(len(scratch))}
		scratch = append(scratch, l.Text...)
		v.end = int32(len(scratch))
		switch l.Kind {
		case LeafString:
			v.kind = jString
			if bytes.IndexByte(l.Text, '\\') >= 0 {
				v.kind = jStringEsc
			}
		case LeafScalar:
			switch {
			case string(l.Text) == "true":
				v.kind = jTrue
			case string(l.Text) == "false":
				v.kind = jFalse
			case string(l.Text) == "null":
				v.kind = jNull
			default:
				v.kind = jNumber
			}
		case LeafContainer:
			v.kind = jObject
		default:
			v.kind = jMissing
		}
		vals = append(vals, v)
	}
	// eval reads the text and keeps none of it.
	msg := unsafe.String(unsafe.SliceData(scratch), len(scratch))
	return jp.expr.eval(msg, vals), scratch
}
