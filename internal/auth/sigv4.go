package auth

import (
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	terminator      = "aws4_request"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	amzDateLayout   = "20060102T150405Z"
	maxSkew         = 15 * time.Minute
	maxPresignSecs  = 7 * 24 * 60 * 60
	defaultPresign  = 15 * 60
)

// authorization is the parsed "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…" header. Fields are substrings of the header value.
type authorization struct {
	credential    string
	signedHeaders string
	signature     string
}

// parseAuthorization parses an Authorization header value. On failure it
// returns an AWS-style message (kind Incomplete).
func parseAuthorization(v string) (a authorization, msg string) {
	s := strings.TrimLeft(v, " \t")
	algo, rest, _ := strings.Cut(s, " ")
	if algo != algorithm {
		if algo == "AWS4-ECDSA-P256-SHA256" {
			return a, "SigV4a (AWS4-ECDSA-P256-SHA256) is not supported; sign with AWS4-HMAC-SHA256."
		}
		return a, "Unsupported authorization type '" + algo + "'; sign with AWS4-HMAC-SHA256 (Signature Version 4)."
	}
	var seenCred, seenHeaders, seenSig bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.Trim(part, " \t")
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return a, "'" + part + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + v + "'."
		}
		var dst *string
		var seen *bool
		switch k {
		case "Credential":
			dst, seen = &a.credential, &seenCred
		case "SignedHeaders":
			dst, seen = &a.signedHeaders, &seenHeaders
		case "Signature":
			dst, seen = &a.signature, &seenSig
		default:
			continue // AWS ignores parameters it does not know
		}
		if *seen {
			return a, "Authorization header has a duplicate '" + k + "' parameter. Authorization=" + v
		}
		*seen = true
		*dst = val
	}
	if a.credential == "" || a.signedHeaders == "" || a.signature == "" {
		var b strings.Builder
		if a.credential == "" {
			b.WriteString("Authorization header requires 'Credential' parameter. ")
		}
		if a.signature == "" {
			b.WriteString("Authorization header requires 'Signature' parameter. ")
		}
		if a.signedHeaders == "" {
			b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
		}
		b.WriteString("Authorization=")
		b.WriteString(v)
		return a, b.String()
	}
	return a, ""
}

// signsHost reports whether the SignedHeaders list names host, which SigV4
// requires.
func signsHost(signedHeaders string) bool {
	for rest := signedHeaders; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		if strings.EqualFold(name, "host") {
			return true
		}
	}
	return false
}

const msgNoHost = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."

// credential is a parsed "<AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request".
type credential struct {
	accessKeyID, date, region, service string
	scope                              string // date/region/service/aws4_request
}

func parseCredential(s string) (c credential, msg string) {
	akid, scope, ok := strings.Cut(s, "/")
	c.accessKeyID = akid
	if !ok || akid == "" {
		return c, "Credential should be of the form <AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request, not '" + s + "'."
	}
	c.scope = scope
	date, r, _ := strings.Cut(scope, "/")
	region, r, _ := strings.Cut(r, "/")
	service, term, _ := strings.Cut(r, "/")
	switch {
	case strings.Count(scope, "/") != 3:
		return c, "Credential should be of the form <AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request, not '" + s + "'."
	case !isDate8(date):
		return c, "Credential should be scoped to a valid date (YYYYMMDD), not '" + date + "'."
	case region == "":
		return c, "Credential should be scoped to a valid region, not ''."
	case service == "":
		return c, "Credential should be scoped to a valid service, not ''."
	case term != terminator:
		return c, "Credential should be scoped with a valid terminator: 'aws4_request', not '" + term + "'."
	}
	c.date, c.region, c.service = date, region, service
	return c, ""
}

func isDate8(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseAmzDate parses the ISO 8601 basic format "20060102T150405Z" strictly.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' || !isDate8(s[:8]) {
		return time.Time{}, false
	}
	n := func(i, j int) int {
		v := 0
		for ; i < j; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, se := n(0, 4), n(4, 6), n(6, 8), n(9, 11), n(11, 13), n(13, 15)
	if mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Day() != d { // 31 February and friends
		return time.Time{}, false
	}
	return t, true
}

// headerValues returns the values of the header whose lower-case name is
// lower, without allocating for the usual canonical keys.
func headerValues(h http.Header, lower string) []string {
	var buf [64]byte
	if len(lower) <= len(buf) {
		up := true
		for i := 0; i < len(lower); i++ {
			c := lower[i]
			if up && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			} else if !up && 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
			up = c == '-'
		}
		if vs, ok := h[string(buf[:len(lower)])]; ok {
			return vs
		}
	} else if vs, ok := h[textproto.CanonicalMIMEHeaderKey(lower)]; ok {
		return vs
	}
	// Keys that were not canonicalised (requests built by hand, names with
	// characters textproto leaves alone).
	for k, vs := range h {
		if strings.EqualFold(k, lower) {
			return vs
		}
	}
	return nil
}

func firstHeader(h http.Header, lower string) string {
	if vs := headerValues(h, lower); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

var spaces = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

func isSpace(c byte) bool { return spaces[c] }

// appendTrimmed appends v with leading and trailing white space removed and
// every inner run of white space folded to one space (the SigV4 "Trimall",
// as botocore does it).
func appendTrimmed(dst []byte, v string) []byte {
	i := 0
	for i < len(v) && !spaces[v[i]] {
		i++
	}
	if i == len(v) { // nothing to trim: the usual case
		return append(dst, v...)
	}
	space := false
	start := len(dst)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isSpace(c) {
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, c)
	}
	return dst
}

// appendTrimmedSpaces is appendTrimmed as the Go SDK does it: white space
// trimmed at both ends, but only runs of ' ' folded inside (a tab stays).
func appendTrimmedSpaces(dst []byte, v string) []byte {
	i, j := 0, len(v)
	for i < j && isSpace(v[i]) {
		i++
	}
	for j > i && isSpace(v[j-1]) {
		j--
	}
	for k := i; k < j; k++ {
		if v[k] == ' ' && k > i && v[k-1] == ' ' {
			continue
		}
		dst = append(dst, v[k])
	}
	return dst
}

// hasInnerOtherSpace reports whether v has white space other than ' ', the
// only case where appendTrimmed and appendTrimmedSpaces can differ.
func hasInnerOtherSpace(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c != ' ' && spaces[c] {
			return true
		}
	}
	return false
}

// unreserved reports the bytes SigV4 never percent-encodes.
var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'], t['.'], t['~'] = true, true, true, true
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendEncoded appends s URI-encoded the SigV4 way; '/' is kept when
// keepSlash.
func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] || (keepSlash && c == '/') {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendDecodedEncoded percent-decodes s (an invalid escape stays literal;
// '+' becomes a space when plusSpace) and appends it SigV4-encoded.
func appendDecodedEncoded(dst []byte, s string, plusSpace bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		} else if c == '+' && plusSpace {
			c = ' '
		}
		if unreserved[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// queryMode selects how the canonical query string is derived.
type queryMode uint8

const (
	queryEncode    queryMode = iota // decode %XX, re-encode (SDKs' behaviour)
	queryPlusSpace                  // as queryEncode, '+' read as space
	queryRaw                        // pairs as sent, only sorted (botocore with a pre-built URL)
)

type span struct{ k0, k1, v0, v1 int32 }

// appendCanonicalQuery appends the canonical query string of raw to dst,
// leaving out X-Amz-Signature when dropSig. pairs is scratch space.
func appendCanonicalQuery(dst []byte, raw string, mode queryMode, dropSig bool, work []byte, pairs []span) ([]byte, []byte, []span) {
	work = work[:0]
	pairs = pairs[:0]
	for raw != "" {
		var p string
		p, raw, _ = strings.Cut(raw, "&")
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		var sp span
		sp.k0 = int32(len(work))
		if mode == queryRaw {
			work = append(work, k...)
		} else {
			work = appendDecodedEncoded(work, k, mode == queryPlusSpace)
		}
		sp.k1 = int32(len(work))
		if dropSig && string(work[sp.k0:sp.k1]) == "X-Amz-Signature" {
			work = work[:sp.k0]
			continue
		}
		sp.v0 = sp.k1
		if mode == queryRaw {
			work = append(work, v...)
		} else {
			work = appendDecodedEncoded(work, v, mode == queryPlusSpace)
		}
		sp.v1 = int32(len(work))
		pairs = append(pairs, sp)
	}
	less := func(a, b span) bool {
		ka, kb := string(work[a.k0:a.k1]), string(work[b.k0:b.k1])
		if ka != kb {
			return ka < kb
		}
		return string(work[a.v0:a.v1]) < string(work[b.v0:b.v1])
	}
	// Insertion sort: queries are short, and it does not allocate.
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && less(pairs[j], pairs[j-1]); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	for i, sp := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, work[sp.k0:sp.k1]...)
		dst = append(dst, '=')
		dst = append(dst, work[sp.v0:sp.v1]...)
	}
	return dst, work, pairs
}

// hasDotOrEmptySegment reports whether path has segments botocore's
// normalisation would remove ("", ".", "..") other than a leading or
// trailing empty one.
func hasDotOrEmptySegment(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}

// normalizePath removes empty, "." and ".." segments (RFC 3986 5.2.4 plus
// AWS's collapsing of repeated slashes), keeping a leading and a trailing
// slash.
func normalizePath(p string) string {
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	s := strings.Join(out, "/")
	if strings.HasPrefix(p, "/") {
		s = "/" + s
	}
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		s += "/"
	}
	if s == "" {
		s = "/"
	}
	return s
}

// pathDecoded percent-decodes an escaped path, leaving invalid escapes.
func pathDecoded(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) {
			hi, ok1 := unhex(p[i+1])
			lo, ok2 := unhex(p[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		}
		b = append(b, c)
	}
	return string(b)
}
