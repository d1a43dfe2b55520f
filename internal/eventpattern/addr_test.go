package eventpattern

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

func checkEventAddr(t *testing.T, s string) {
	t.Helper()
	want, err := netip.ParseAddr(s)
	wantOK := err == nil && want.Zone() == ""
	got, ok := eventAddr([]byte(s))
	if ok != wantOK || (ok && got != want.Unmap()) {
		t.Fatalf("eventAddr(%q) = %v, %v; netip: %v, %v", s, got, ok, want, err)
	}
	// parseIPv4 alone: never an address netip would not give, and every
	// dotted IPv4 address netip takes (else it is not the fast path).
	ip, ok4 := parseIPv4([]byte(s))
	dotted := wantOK && want.Is4() && strings.Trim(s, "0123456789.") == ""
	if ok4 != dotted || (ok4 && netip.AddrFrom4(ip) != want) {
		t.Fatalf("parseIPv4(%q) = %v, %v; netip: %v, %v", s, ip, ok4, want, err)
	}
}

func TestEventAddr(t *testing.T) {
	for _, s := range []string{"", "1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3",
		"1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.04", "10.0.0.1", "::ffff:1.2.3.4", "::1", "fe80::1%eth0",
		"1.2.3.4%x", "1.2.3.a", "999.1.1.1", "1.2.3.0", "00.1.2.3"} {
		checkEventAddr(t, s)
	}
	r := rand.New(rand.NewPCG(9, 10))
	alphabet := "0123456789..::%af"
	for n := 0; n < 20000; n++ {
		b := make([]byte, r.IntN(18))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkEventAddr(t, string(b))
	}
}

func FuzzEventAddr(f *testing.F) {
	f.Add("10.1.2.3")
	f.Add("::ffff:10.1.2.3")
	f.Fuzz(func(t *testing.T, s string) { checkEventAddr(t, s) })
}

func TestCIDRKey4(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for n := 0; n < 2000; n++ {
		var a [4]byte
		for i := range a {
			a[i] = byte(r.IntN(256))
		}
		for bits := 0; bits <= 32; bits++ {
			p, err := netip.AddrFrom4(a).Prefix(bits)
			if err != nil {
				t.Fatal(err)
			}
			want := string(cidrKey(nil, p))
			if got := string(cidrKey4(nil, a, bits)); got != want {
				t.Fatalf("cidrKey4(%v, %d) = %x, want %x", a, bits, got, want)
			}
		}
	}
}
