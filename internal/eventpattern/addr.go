package eventpattern

import "net/netip"

// eventAddr parses an event string as an IP address the way patterns compare
// addresses: netip.ParseAddr, no zone, IPv4-mapped IPv6 unmapped. Dotted
// IPv4, by far the most common form in events, is parsed here without the
// detour through a string; anything else goes to netip.
func eventAddr(s []byte) (netip.Addr, bool) {
	if ip, ok := parseIPv4(s); ok {
		return netip.AddrFrom4(ip), true
	}
	a, err := netip.ParseAddr(bstr(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseIPv4 accepts exactly the strings of digits and dots that
// netip.ParseAddr accepts: four decimal fields of at most 255, each
// non-empty and without a leading zero. It rejects everything else,
// including what netip would accept in another form, so a false result
// means "ask netip".
func parseIPv4(s []byte) (ip [4]byte, ok bool) {
	val, digits, field := 0, 0, 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return ip, false // leading zero
			}
			val = val*10 + int(c-'0')
			if val > 255 {
				return ip, false
			}
			digits++
		case c == '.':
			if digits == 0 || field == 3 {
				return ip, false
			}
			ip[field] = byte(val)
			field++
			val, digits = 0, 0
		default:
			return ip, false
		}
	}
	if field != 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(val)
	return ip, true
}
