package logs

import (
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// Tokens come back from clients: a malformed one is an error, never a
// panic, and a GetLogEvents token that parses spells the same gap again.
func FuzzTokens(f *testing.F) {
	f.Add("f/0922337383248545015900000000000000000003/s")
	f.Add("b/0000000000000000000000000000000000000000/s")
	f.Add("AAAAAAAAAAE")
	f.Fuzz(func(t *testing.T, tok string) {
		if g, fwd, err := parseGapToken(tok); err == nil {
			if again := *g.token(fwd); again != tok {
				t.Fatalf("token %q parsed and printed as %q", tok, again)
			}
		}
		decodeStreamToken(shape.Ptr(tok))
		decodeNameToken(shape.Ptr(tok))
		decodeFilterToken(tok, [16]byte{})
	})
}
