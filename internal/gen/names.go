package main

import (
	"go/token"
	"strings"
	"unicode"
)

// reserved are the package-level identifiers every generated package
// declares besides its types.
var reserved = []string{"Handler", "Unimplemented", "Model", "Invoke"}

// exported upper-cases the first letter of a model name.
func exported(name string) string {
	name = sanitize(name)
	if name == "" {
		return "X"
	}
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// sanitize drops characters that cannot appear in a Go identifier.
func sanitize(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '_' || unicode.IsLetter(r):
			b.WriteRune(r)
		case unicode.IsDigit(r):
			if i == 0 {
				b.WriteByte('X')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unique appends "_" to name until it is neither taken nor a Go keyword, then
// takes it.
func unique(name string, taken map[string]bool) string {
	for taken[name] || token.IsKeyword(name) {
		name += "_"
	}
	taken[name] = true
	return name
}

// enumIdent turns an enum value into the CamelCase suffix of its constant:
// runs of ASCII letters and digits are words, everything else separates
// them; each word starts upper-case, and an all-capitals word continues
// lower-case ("PENDING_TRAINING" → "PendingTraining", "p99.9" → "P999").
func enumIdent(v string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if strings.ToUpper(w) == w {
			w = strings.ToLower(w)
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	if b.Len() == 0 {
		return "Empty"
	}
	return b.String()
}
