package funcs

import (
	"fmt"
	"net/netip"
)

// ipFuncs are AWS's "IP address string functions". They read the text of
// their first argument as an address; text that is not one makes the
// predicates false (not null). A missing argument gives null.
var ipFuncs = []*Func{
	fn("isValidIp", 1, 1, ipPredicate(func(netip.Addr) bool { return true })),
	fn("isValidIpV4", 1, 1, ipPredicate(netip.Addr.Is4)),
	fn("isValidIpV6", 1, 1, ipPredicate(netip.Addr.Is6)),
	{Name: "isIpInSubnet", MinArgs: 2, MaxArgs: 2, Call: subnetPredicate(0), Check: checkSubnetArg(0)},
	{Name: "isIpv4InSubnet", MinArgs: 2, MaxArgs: 2, Call: subnetPredicate(4), Check: checkSubnetArg(4)},
	{Name: "isIpv6InSubnet", MinArgs: 2, MaxArgs: 2, Call: subnetPredicate(6), Check: checkSubnetArg(6)},
	fn("ipv4ToNumber", 1, 1, callIPv4ToNumber),
	fn("isPrivateIP", 1, 1, ipPredicate(func(a netip.Addr) bool { return a.Unmap().IsPrivate() })),
	fn("isPublicIP", 1, 1, ipPredicate(isPublicAddr)),
	fn("isReservedIP", 1, 1, ipPredicate(isReservedAddr)),
}

// ParseIP reads an IPv4 address in dotted-decimal form (no leading zeros)
// or an IPv6 address in any RFC 4291 form, including IPv4-mapped
// ::ffff:192.0.2.1, which is an IPv6 address. Zones (fe80::1%eth0) are
// rejected.
func ParseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

// ParseSubnet reads a subnet in CIDR notation (192.0.2.0/24,
// 2001:db8::/32). As AWS asks, the address should be the start of the
// block; host bits are ignored if it is not (192.0.2.7/24 is 192.0.2.0/24).
// family 4 or 6 requires that family; 0 accepts both. Errors wrap
// ErrSubnet.
func ParseSubnet(s string, family int) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w %q: want CIDR notation such as 192.0.2.0/24 or 2001:db8::/32", ErrSubnet, s)
	}
	if (family == 4 && !p.Addr().Is4()) || (family == 6 && !p.Addr().Is6()) {
		return netip.Prefix{}, fmt.Errorf("%w %q: not an IPv%d subnet", ErrSubnet, s, family)
	}
	return p.Masked(), nil
}

func ipPredicate(f func(netip.Addr) bool) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		s, ok := textArg(args[0])
		if !ok {
			return Null
		}
		a, ok := ParseIP(s)
		return Bool(ok && f(a))
	}
}

// subnetPredicate builds isIpInSubnet (family 0), isIpv4InSubnet (4) and
// isIpv6InSubnet (6): true when the address is valid, of the subnet's
// family (and of the function's, if any), and inside the subnet. An
// IPv4-mapped IPv6 address is IPv6 and so never inside an IPv4 subnet. An
// invalid subnet gives false.
func subnetPredicate(family int) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		s, ok := textArg(args[0])
		if !ok {
			return Null
		}
		sub, ok := textArg(args[1])
		if !ok {
			return Null
		}
		a, ok := ParseIP(s)
		if !ok {
			return falseValue
		}
		p, err := ParseSubnet(sub, family)
		if err != nil || a.Is4() != p.Addr().Is4() {
			return falseValue
		}
		return Bool(p.Contains(a))
	}
}

func checkSubnetArg(family int) func([]Value) error {
	return func(args []Value) error {
		s, ok := litArg(args, 1)
		if !ok {
			return nil
		}
		_, err := ParseSubnet(s, family)
		return err
	}
}

// callIPv4ToNumber is ipv4ToNumber(s): the address as an unsigned 32-bit
// number (192.168.0.1 is 3232235521); null when s is not an IPv4 address.
func callIPv4ToNumber(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	a, ok := ParseIP(s)
	if !ok || !a.Is4() {
		return Null
	}
	b := a.As4()
	return Num(float64(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])))
}

// reservedPrefixes are the special-purpose ranges isReservedIP knows: the
// IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and
// successors) entries that are not globally reachable, plus multicast and
// the IPv4 class E block.
var reservedPrefixes = mustPrefixes(
	// IPv4
	"0.0.0.0/8",       // "this network"
	"10.0.0.0/8",      // private (RFC 1918)
	"100.64.0.0/10",   // shared address space (RFC 6598)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local
	"172.16.0.0/12",   // private (RFC 1918)
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation (TEST-NET-1)
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",  // private (RFC 1918)
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation (TEST-NET-2)
	"203.0.113.0/24",  // documentation (TEST-NET-3)
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, including 255.255.255.255
	// IPv6
	"::/128",         // unspecified
	"::1/128",        // loopback
	"64:ff9b:1::/48", // local-use IPv4/IPv6 translation
	"100::/64",       // discard-only
	"2001::/23",      // IETF protocol assignments
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation
	"5f00::/16",      // segment routing SIDs
	"fc00::/7",       // unique local
	"fe80::/10",      // link-local
	"ff00::/8",       // multicast
)

var globalUnicast6 = netip.MustParsePrefix("2000::/3")

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// isReservedAddr reports whether a lies in a special-purpose range. An
// IPv4-mapped IPv6 address is judged by its IPv4 address.
func isReservedAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range reservedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isPublicAddr reports whether a is publicly routable: not reserved and,
// for IPv6, inside the global unicast block 2000::/3.
func isPublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if isReservedAddr(a) {
		return false
	}
	return a.Is4() || globalUnicast6.Contains(a)
}
