package eventpattern

import (
	"strings"
	"testing"
)

// TestWalkSkippedStringValues checks the walker's shortcut for "key":"value"
// members nobody refers to (the value's end taken from the key's stop
// window) at every alignment, for values ending inside and beyond the
// window, and with what sends the shortcut back to the general path: an
// escape or a control byte in the value, white space around the colon, a
// value that is not a string, an event that ends inside the value.
func TestWalkSkippedStringValues(t *testing.T) {
	pt := scanTable(scanPaths...)
	for shift := 0; shift < 8; shift++ {
		lead := `{"z":"` + strings.Repeat("p", shift) + `",`
		for kn := 1; kn <= 10; kn += 3 { // "" is one of scanPaths
			key := strings.Repeat("k", kn)
			for vn := 0; vn <= 70; vn++ {
				val := strings.Repeat("v", vn)
				clean := lead + `"` + key + `":"` + val + `","a":"x"}`
				var f flat
				f.reset(pt, []byte(clean))
				if !f.fastScan() || len(f.leaves) != 1 {
					t.Fatalf("fast scan of %s: gave up or lost the leaf", clean)
				}
				checkScan(t, pt, []byte(clean))
				for _, v := range []string{
					val + `\"q`, `\\` + val, val + "\x01", val + `\u0041`,
				} {
					checkScan(t, pt, []byte(lead+`"`+key+`":"`+v+`","a":"x"}`))
				}
				for _, ev := range []string{
					lead + `"` + key + `" :"` + val + `","a":1}`,
					lead + `"` + key + `": "` + val + `","a":1}`,
					lead + `"` + key + `":` + val + `1,"a":1}`,
					lead + `"` + key + `":"` + val,
					lead + `"` + key + `":"` + val + `"`,
					lead + `"` + key + `":"` + val + `"}`,
					// Not JSON (the string goes on to the next quote),
					// but it would be if the value ended at the control
					// byte or the backslash.
					lead + `"` + key + `":"` + val + "\x01," + `"a":"x"}`,
					lead + `"` + key + `":"` + val + `\,` + `"a":"x"}`,
				} {
					checkScan(t, pt, []byte(ev))
				}
			}
		}
	}
}
