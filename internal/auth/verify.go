package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

// DefaultDevAccount is the dev-mode account when Verifier.DevAccount is empty.
const DefaultDevAccount = "000000000000"

// Verifier authenticates SigV4-signed requests. Set the exported fields
// before the first Verify and do not change them afterwards; Verify is then
// safe for concurrent use. A Verifier must not be copied after first use (it
// caches derived signing keys).
type Verifier struct {
	// Keys finds access keys. nil means no key is known.
	Keys KeyStore
	// Clock is the time source for skew and expiry checks; nil means the
	// system clock.
	Clock clock.Clock
	// Dev accepts access keys the KeyStore does not know, without checking
	// their signature (see the package documentation).
	Dev bool
	// DevAccount is the account of unknown keys in dev mode; empty means
	// DefaultDevAccount.
	DevAccount string

	cache keyCache
}

// Verify authenticates r. payload is the request body exactly as received
// (before Content-Encoding is undone); Verify neither reads nor closes
// r.Body. It returns the caller's identity, or why the request is refused.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, payload []byte) (*Identity, *Failure) {
	authz := r.Header["Authorization"]
	if len(authz) == 0 {
		authz = headerValues(r.Header, "authorization")
	}
	rawQuery := r.URL.RawQuery
	presigned := rawQuery != "" && (strings.Contains(rawQuery, "X-Amz-Signature=") ||
		strings.Contains(rawQuery, "X-Amz-Credential=") || strings.Contains(rawQuery, "X-Amz-Algorithm="))

	var in sigInput
	var f *Failure
	switch {
	case len(authz) > 0 && presigned:
		return nil, &Failure{Kind: Incomplete, Presigned: true, Message: "Only one auth mechanism allowed; " +
			"only the X-Amz-Algorithm query parameter or the Authorization header should be specified."}
	case len(authz) > 1:
		return nil, &Failure{Kind: Incomplete, Message: "The request has more than one Authorization header."}
	case len(authz) == 1:
		f = v.parseHeaderAuth(r, authz[0], &in)
	case presigned:
		f = v.parsePresigned(r, &in)
	default:
		return nil, &Failure{Kind: Missing, Message: msgMissing}
	}
	if f != nil {
		return nil, f
	}

	var key Key
	var known bool
	if v.Keys != nil {
		var err error
		key, known, err = v.Keys.LookupAccessKey(ctx, in.cred.accessKeyID)
		if err != nil {
			return nil, in.fail(Internal, msgInternal)
		}
	}
	if !known && !v.Dev {
		return nil, in.fail(UnknownKey, msgUnknownKey)
	}

	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)

	if f := s.payloadHashes(r, &in, payload); f != nil {
		return nil, f
	}

	if !known { // dev mode, nothing to verify the signature with
		account := v.DevAccount
		if account == "" {
			account = DefaultDevAccount
		}
		if isAccountID(in.cred.accessKeyID) {
			account = in.cred.accessKeyID
		}
		p := principalFor(account, "")
		return in.identity(in.cred.accessKeyID, &p, false), nil
	}

	e := v.cache.entry(s, &key, &in.cred)
	if f := s.verifySignature(r, &in, e); f != nil {
		return nil, f
	}
	return in.identity(key.AccessKeyID, &e.p, true), nil
}

// sigInput is what Verify extracted from the request before checking the
// signature. Strings are substrings of the request's header or query.
type sigInput struct {
	presigned     bool
	cred          credential
	amzDate       string // ISO 8601 basic, as used in the string to sign
	t             time.Time
	signedHeaders string
	signature     string
	// query is the raw query for the canonical query string; X-Amz-Signature
	// is dropped from it when presigned.
	query string
	// presignSHA is X-Amz-Content-Sha256 from a presigned query, if any.
	presignSHA string
	// payload hash candidates, in the order to try
	payloads [2][]byte
	nPayload int
}

func (in *sigInput) fail(kind FailureKind, msg string) *Failure {
	return &Failure{Kind: kind, Message: msg, AccessKeyID: in.cred.accessKeyID, Presigned: in.presigned}
}

func (in *sigInput) identity(akid string, p *principal, verified bool) *Identity {
	return &Identity{
		AccountID:   p.account,
		AccessKeyID: akid,
		Principal:   p.arn,
		PrincipalID: p.id,
		Type:        p.typ,
		UserName:    p.user,
		Region:      in.cred.region,
		Service:     in.cred.service,
		SignedAt:    in.t,
		Presigned:   in.presigned,
		Verified:    verified,
	}
}

func (v *Verifier) now() time.Time {
	if v.Clock == nil {
		return time.Now()
	}
	return v.Clock.Now()
}

func (v *Verifier) parseHeaderAuth(r *http.Request, authz string, in *sigInput) *Failure {
	a, msg := parseAuthorization(authz)
	if msg != "" {
		return &Failure{Kind: Incomplete, Message: msg}
	}
	cred, msg := parseCredential(a.credential)
	in.cred = cred
	if msg != "" {
		return in.fail(Incomplete, msg)
	}
	in.signedHeaders, in.signature, in.query = a.signedHeaders, a.signature, r.URL.RawQuery
	if !signsHost(in.signedHeaders) {
		return in.fail(Incomplete, msgNoHost)
	}

	if d := firstHeader(r.Header, "x-amz-date"); d != "" {
		t, ok := parseAmzDate(d)
		if !ok {
			return in.fail(Incomplete, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not '"+d+"'.")
		}
		in.t, in.amzDate = t, d
	} else if d := firstHeader(r.Header, "date"); d != "" {
		t, err := parseHTTPDate(d)
		if err != nil {
			return in.fail(Incomplete, "Date must be an HTTP date (RFC 1123), not '"+d+"'.")
		}
		in.t = t.UTC()
		in.amzDate = in.t.Format(amzDateLayout)
	} else {
		return in.fail(Incomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="+authz)
	}
	if f := in.checkScopeDate(); f != nil {
		return f
	}
	now := v.now().UTC()
	if in.t.Before(now.Add(-maxSkew)) {
		return in.fail(Expired, "Signature expired: "+in.amzDate+" is now earlier than "+
			now.Add(-maxSkew).Format(amzDateLayout)+" ("+now.Format(amzDateLayout)+" - 15 min.)")
	}
	return in.checkNotFuture(now)
}

func (in *sigInput) checkScopeDate() *Failure {
	if in.cred.date != in.amzDate[:8] {
		return in.fail(BadSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			in.cred.date+"' != '"+in.amzDate[:8]+"', from '"+in.amzDate+"'.")
	}
	return nil
}

func (in *sigInput) checkNotFuture(now time.Time) *Failure {
	if in.t.After(now.Add(maxSkew)) {
		return in.fail(Expired, "Signature not yet current: "+in.amzDate+" is still later than "+
			now.Add(maxSkew).Format(amzDateLayout)+" ("+now.Format(amzDateLayout)+" + 15 min.)")
	}
	return nil
}

const msgPresignParams = "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', " +
	"'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."

func (v *Verifier) parsePresigned(r *http.Request, in *sigInput) *Failure {
	in.presigned = true
	in.query = r.URL.RawQuery
	q, _ := url.ParseQuery(in.query) // a malformed pair elsewhere is the canonical query's problem
	one := func(name string) (string, bool) {
		vs := q[name]
		if len(vs) != 1 || vs[0] == "" {
			return "", false
		}
		return vs[0], true
	}
	algo, ok1 := one("X-Amz-Algorithm")
	credStr, ok2 := one("X-Amz-Credential")
	date, ok3 := one("X-Amz-Date")
	in.signedHeaders, _ = one("X-Amz-SignedHeaders")
	in.signature, _ = one("X-Amz-Signature")
	if !ok1 || !ok2 || !ok3 || in.signedHeaders == "" || in.signature == "" {
		if ok2 {
			in.cred.accessKeyID, _, _ = strings.Cut(credStr, "/")
		}
		return in.fail(Incomplete, msgPresignParams)
	}
	cred, msg := parseCredential(credStr)
	in.cred = cred
	if msg != "" {
		return in.fail(Incomplete, msg)
	}
	if !signsHost(in.signedHeaders) {
		return in.fail(Incomplete, msgNoHost)
	}
	if algo != algorithm {
		return in.fail(Incomplete, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\", not '"+algo+"'.")
	}
	t, ok := parseAmzDate(date)
	if !ok {
		return in.fail(Incomplete, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not '"+date+"'.")
	}
	in.t, in.amzDate = t, date
	expires := defaultPresign
	if vs, ok := q["X-Amz-Expires"]; ok {
		n, err := strconv.Atoi(strings.Join(vs, ","))
		switch {
		case err != nil || n < 0:
			return in.fail(Incomplete, "X-Amz-Expires should be a non-negative number of seconds.")
		case n > maxPresignSecs:
			return in.fail(Incomplete, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		expires = n
	}
	if vs := q["X-Amz-Content-Sha256"]; len(vs) == 1 {
		in.presignSHA = vs[0]
	}
	if f := in.checkScopeDate(); f != nil {
		return f
	}
	now := v.now().UTC()
	if end := t.Add(time.Duration(expires) * time.Second); now.After(end) {
		return in.fail(Expired, "Request has expired: signed at "+date+" for "+strconv.Itoa(expires)+
			" seconds, until "+end.Format(amzDateLayout)+"; it is now "+now.Format(amzDateLayout)+".")
	}
	return in.checkNotFuture(now)
}

// parseHTTPDate parses a Date header: the HTTP formats, and RFC 1123 with a
// numeric zone as Python's email.utils.formatdate writes it (botocore).
func parseHTTPDate(d string) (time.Time, error) {
	t, err := http.ParseTime(d)
	if err != nil {
		t, err = time.Parse(time.RFC1123Z, d)
	}
	return t, err
}

// isAccountID reports whether s is exactly 12 digits.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// scratch is per-call working memory, pooled so that a verification does
// not allocate.
type scratch struct {
	h     hash.Hash
	creq  []byte
	sts   []byte
	work  []byte
	msg   []byte
	pairs []span
	// otherSpace: a signed header value has white space other than ' '.
	otherSpace bool
	phex       [64]byte
	sum        [32]byte
	inner      [32]byte
	pad        [64]byte
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		h:     sha256.New(),
		creq:  make([]byte, 0, 1024),
		sts:   make([]byte, 0, 256),
		work:  make([]byte, 0, 256),
		msg:   make([]byte, 0, 64),
		pairs: make([]span, 0, 16),
	}
}}

// hmac computes HMAC-SHA256(key, msg) into s.sum and returns it.
func (s *scratch) hmac(key, msg []byte) [32]byte {
	var k [64]byte
	if len(key) > len(k) {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	for i := range k {
		s.pad[i] = k[i] ^ 0x36
	}
	s.h.Reset()
	s.h.Write(s.pad[:])
	s.h.Write(msg)
	s.h.Sum(s.inner[:0])
	for i := range k {
		s.pad[i] = k[i] ^ 0x5c
	}
	s.h.Reset()
	s.h.Write(s.pad[:])
	s.h.Write(s.inner[:])
	s.h.Sum(s.sum[:0])
	return s.sum
}

func (s *scratch) hmacString(key []byte, msg string) [32]byte {
	s.msg = append(s.msg[:0], msg...)
	return s.hmac(key, s.msg)
}

// deriveKey computes the SigV4 signing key for secret and scope.
func (s *scratch) deriveKey(secret string, c *credential) [32]byte {
	k := s.hmacString([]byte("AWS4"+secret), c.date)
	k = s.hmacString(k[:], c.region)
	k = s.hmacString(k[:], c.service)
	return s.hmacString(k[:], terminator)
}

const msgContentSHA = "The provided 'x-amz-content-sha256' header does not match what was computed."

// payloadHashes fills in.payloads with the payload hashes to try, checking
// an X-Amz-Content-Sha256 header against the payload.
func (s *scratch) payloadHashes(r *http.Request, in *sigInput, payload []byte) *Failure {
	hexPayload := func() []byte {
		sum := sha256.Sum256(payload)
		hex.Encode(s.phex[:], sum[:])
		return s.phex[:]
	}
	if c := firstHeader(r.Header, "x-amz-content-sha256"); c != "" {
		if c == unsignedPayload || strings.HasPrefix(c, "STREAMING-") {
			in.payloads[0] = []byte(c)
		} else {
			h := hexPayload()
			if string(h) != c {
				return in.fail(BadSignature, msgContentSHA)
			}
			in.payloads[0] = h
		}
		in.nPayload = 1
		return nil
	}
	if in.presignSHA != "" {
		in.payloads[0], in.nPayload = []byte(in.presignSHA), 1
		return nil
	}
	in.payloads[0], in.nPayload = hexPayload(), 1
	if in.presigned {
		in.payloads[1], in.nPayload = []byte(unsignedPayload), 2
	}
	return nil
}

// verifySignature recomputes the signature, trying the canonical-form
// variants clients are known to produce, and compares in constant time.
func (s *scratch) verifySignature(r *http.Request, in *sigInput, e *cacheEntry) *Failure {
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	s3 := in.cred.service == "s3"
	// Canonical URI variants: the path as received (encoded once more,
	// except for s3), then forms other signers produce.
	type uriVariant struct {
		path   string
		encode bool
	}
	uris := [3]uriVariant{{path, !s3}}
	nURI := 1
	if s3 {
		if alt := string(appendEncoded(nil, pathDecoded(path), true)); alt != path {
			uris[nURI], nURI = uriVariant{alt, false}, nURI+1
		}
	} else {
		if hasDotOrEmptySegment(path) { // botocore normalises the path
			uris[nURI], nURI = uriVariant{normalizePath(path), true}, nURI+1
		}
		if strings.IndexByte(path, '%') >= 0 { // a signer given an unencoded path encodes it only once
			uris[nURI], nURI = uriVariant{path, false}, nURI+1
		}
	}
	modes := [3]queryMode{queryEncode}
	nModes := 1
	if strings.IndexByte(in.query, '+') >= 0 {
		modes[nModes] = queryPlusSpace
		nModes++
	}
	if needsRawVariant(in.query) {
		modes[nModes] = queryRaw
		nModes++
	}
	var firstCreq, firstSTS string
	s.otherSpace = false
	for hm := 0; hm < 2; hm++ {
		for _, u := range uris[:nURI] {
			for _, m := range modes[:nModes] {
				for _, ph := range in.payloads[:in.nPayload] {
					s.buildCanonical(r, in, u.path, u.encode, m, ph, hm == 1)
					s.buildStringToSign(in)
					sig := s.hmac(e.signingKey[:], s.sts)
					if equalHex(&sig, in.signature) {
						return nil
					}
					if firstCreq == "" {
						firstCreq, firstSTS = string(s.creq), string(s.sts)
					}
				}
			}
		}
		if !s.otherSpace { // the Go SDK's header trimming gives the same result
			break
		}
	}
	f := in.fail(BadSignature, msgBadSignature)
	f.CanonicalRequest, f.StringToSign = firstCreq, firstSTS
	return f
}

// needsRawVariant reports whether sorting the query's pairs as sent could
// differ from decoding and re-encoding them.
func needsRawVariant(q string) bool {
	for i := 0; i < len(q); i++ {
		if c := q[i]; !unreserved[c] && c != '&' && c != '=' {
			return true
		}
	}
	return false
}

// buildCanonical writes the canonical request into s.creq. sdkSpaces folds
// header values the Go SDK's way instead of botocore's; s.otherSpace records
// whether that could make a difference.
func (s *scratch) buildCanonical(r *http.Request, in *sigInput, path string, doubleEncode bool, m queryMode, payloadHash []byte, sdkSpaces bool) {
	b := append(s.creq[:0], r.Method...)
	b = append(b, '\n')
	if doubleEncode {
		b = appendEncoded(b, path, true)
	} else {
		b = append(b, path...)
	}
	b = append(b, '\n')
	b, s.work, s.pairs = appendCanonicalQuery(b, in.query, m, in.presigned, s.work, s.pairs)
	b = append(b, '\n')
	for rest := in.signedHeaders; ; {
		name, more, found := strings.Cut(rest, ";")
		b = append(b, name...)
		b = append(b, ':')
		switch {
		case strings.EqualFold(name, "host"):
			b = appendTrimmed(b, r.Host)
		default:
			vs := headerValues(r.Header, name)
			if len(vs) == 0 && strings.EqualFold(name, "content-length") && r.ContentLength >= 0 {
				b = strconv.AppendInt(b, r.ContentLength, 10)
			}
			for i, v := range vs {
				if i > 0 {
					b = append(b, ',')
				}
				if sdkSpaces {
					b = appendTrimmedSpaces(b, v)
				} else {
					b = appendTrimmed(b, v)
					s.otherSpace = s.otherSpace || hasInnerOtherSpace(v)
				}
			}
		}
		b = append(b, '\n')
		if !found {
			break
		}
		rest = more
	}
	b = append(b, '\n')
	b = append(b, in.signedHeaders...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	s.creq = b
}

func (s *scratch) buildStringToSign(in *sigInput) {
	sum := sha256.Sum256(s.creq)
	b := append(s.sts[:0], algorithm...)
	b = append(b, '\n')
	b = append(b, in.amzDate...)
	b = append(b, '\n')
	b = append(b, in.cred.scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, sum[:])
	s.sts = b
}

const lowerHex = "0123456789abcdef"

// equalHex compares sum with a lower-case hex signature in constant time
// (for signatures of the right length).
func equalHex(sum *[32]byte, sig string) bool {
	if len(sig) != 64 {
		return false
	}
	var d byte
	for i, c := range sum {
		d |= lowerHex[c>>4] ^ sig[2*i]
		d |= lowerHex[c&15] ^ sig[2*i+1]
	}
	return d == 0
}

// keyCache holds derived signing keys (one per key and scope, so one per
// key, region and service a day) and the key's principal.
type keyCache struct {
	mu sync.Mutex
	m  map[cacheKey]*cacheEntry
}

type cacheKey struct{ akid, date, region, service string }

// cacheEntry is immutable once stored.
type cacheEntry struct {
	secret     string
	p          principal
	signingKey [32]byte
}

const maxCacheEntries = 4096

func (c *keyCache) entry(s *scratch, key *Key, cred *credential) *cacheEntry {
	ck := cacheKey{key.AccessKeyID, cred.date, cred.region, cred.service}
	c.mu.Lock()
	e := c.m[ck]
	c.mu.Unlock()
	if e != nil && e.secret == key.Secret && e.p.account == key.AccountID && e.p.user == key.UserName {
		return e
	}
	e = &cacheEntry{secret: key.Secret, p: principalFor(key.AccountID, key.UserName), signingKey: s.deriveKey(key.Secret, cred)}
	ck = cacheKey{strings.Clone(ck.akid), strings.Clone(ck.date), strings.Clone(ck.region), strings.Clone(ck.service)}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCacheEntries {
		c.m = make(map[cacheKey]*cacheEntry)
	}
	c.m[ck] = e
	c.mu.Unlock()
	return e
}
