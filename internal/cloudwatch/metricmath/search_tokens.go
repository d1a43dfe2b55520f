package metricmath

import "strings"

// Tokenization for partial search matches, as documented in "CloudWatch
// search expressions: Tokenization": names are split at non-alphanumeric
// delimiters, at camel-case boundaries (lower→Upper, and before the last
// capital of a run of capitals followed by a lower-case letter, so
// "SDBFailure" gives "SDB", "Failure"), and where digits start or end. The
// whole name with delimiters removed is a token too ("Project2-trial333"
// gives "project2trial333").
//
// A search term is split the same way. Each delimiter-separated chunk that
// is a single token matches a name token case-insensitively ("count",
// "COUNT" find "CustomCount1"); a chunk of several tokens is a composite
// token and must match consecutive name tokens case-sensitively
// ("CustomCount" and "Count1" find it, "customcount", "count1" and "couNT"
// do not). The chunks of a term must match consecutive tokens of the name
// ("network/errors" finds "Network-Errors-2" and "NetworkErrors2").

type charClass uint8

const (
	clDelim charClass = iota
	clLower
	clUpper
	clDigit
)

func classOf(c byte) charClass {
	switch {
	case c >= 'a' && c <= 'z':
		return clLower
	case c >= 'A' && c <= 'Z':
		return clUpper
	case c >= '0' && c <= '9':
		return clDigit
	case c >= 0x80:
		return clLower // bytes of non-ASCII letters stay inside tokens
	}
	return clDelim
}

// splitRun splits one alphanumeric run into tokens.
func splitRun(s string, out []string) []string {
	start := 0
	for i := 1; i < len(s); i++ {
		prev, cur := classOf(s[i-1]), classOf(s[i])
		boundary := false
		switch {
		case prev == clDigit && cur != clDigit, prev != clDigit && cur == clDigit:
			boundary = true
		case prev == clLower && cur == clUpper:
			boundary = true
		case prev == clUpper && cur == clUpper && i+1 < len(s) && classOf(s[i+1]) == clLower:
			boundary = true
		}
		if boundary {
			out = append(out, s[start:i])
			start = i
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// runs returns the alphanumeric runs of s.
func runs(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); i++ {
		if classOf(s[i]) == clDelim {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// termChunks tokenizes a partial search term: one slice of tokens per
// delimiter-separated chunk.
func termChunks(term string) [][]string {
	var out [][]string
	for _, r := range runs(term) {
		out = append(out, splitRun(r, nil))
	}
	return out
}

// nameTokens tokenizes a metric name, namespace, or dimension name/value.
func nameTokens(s string) (tokens []string, whole string) {
	var b strings.Builder
	for _, r := range runs(s) {
		tokens = splitRun(r, tokens)
		b.WriteString(r)
	}
	return tokens, b.String()
}

// partialMatch reports whether the tokenized term matches target.
func partialMatch(chunks [][]string, target string) bool {
	tokens, whole := nameTokens(target)
	if len(chunks) == 1 && strings.EqualFold(strings.Join(chunks[0], ""), whole) {
		return true // the whole-name token, e.g. "customcount1"
	}
	// Flatten the term into (token, caseSensitive) and look for it as a
	// consecutive sequence of name tokens.
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	for start := 0; start+n <= len(tokens); start++ {
		k := start
		ok := true
		for _, c := range chunks {
			for _, tok := range c {
				if len(c) == 1 {
					ok = strings.EqualFold(tok, tokens[k])
				} else {
					ok = tok == tokens[k]
				}
				if !ok {
					break
				}
				k++
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
