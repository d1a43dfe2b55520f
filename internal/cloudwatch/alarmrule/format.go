package alarmrule

import (
	"strconv"
	"strings"
)

// String returns the rule in canonical form: keywords in upper case, single
// spaces, every reference quoted, and parentheses around every AND or OR
// that is an operand of another operator, so that the text means the same
// whatever precedence the reader assumes between AND and OR. Parse(r.String()) yields the same rule, provided the
// canonical form is not longer than MaxLength (quoting and spacing can make
// it longer than the original text).
//
// CloudWatch returns the AlarmRule exactly as it was written, so callers
// should store and return the original text, not this.
func (r *Rule) String() string {
	var b strings.Builder
	writeNode(&b, r.root)
	return b.String()
}

func writeNode(b *strings.Builder, n node) {
	switch n := n.(type) {
	case constNode:
		if n.value {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case stateNode:
		b.WriteString(n.state.String())
		b.WriteByte('(')
		writeRef(b, n.ref)
		b.WriteByte(')')
	case notNode:
		b.WriteString("NOT ")
		writeOperand(b, n.x)
	case andNode:
		for i, x := range n.xs {
			if i > 0 {
				b.WriteString(" AND ")
			}
			writeOperand(b, x)
		}
	case orNode:
		for i, x := range n.xs {
			if i > 0 {
				b.WriteString(" OR ")
			}
			writeOperand(b, x)
		}
	case atLeastNode:
		b.WriteString("AT_LEAST(")
		b.WriteString(strconv.Itoa(n.threshold))
		if n.percent {
			b.WriteByte('%')
		}
		b.WriteString(", ")
		if n.negate {
			b.WriteString("NOT ")
		}
		b.WriteString(n.state.String())
		b.WriteString(", (")
		for i, ref := range n.refs {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRef(b, ref)
		}
		b.WriteString("))")
	}
}

// writeOperand writes an operand of AND, OR or NOT. After flattening, an
// AND or OR operand is always the other operator or under a NOT.
func writeOperand(b *strings.Builder, n node) {
	paren := false
	switch n.(type) {
	case andNode, orNode:
		paren = true
	}
	if paren {
		b.WriteByte('(')
	}
	writeNode(b, n)
	if paren {
		b.WriteByte(')')
	}
}

func writeRef(b *strings.Builder, r Ref) {
	b.WriteByte('"')
	for i := 0; i < len(r.Text); i++ {
		if c := r.Text[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(r.Text[i])
	}
	b.WriteByte('"')
}
