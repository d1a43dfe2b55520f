// Package eventpattern compiles and evaluates Amazon EventBridge event
// patterns. It is a pure library: it owns pattern validation (with the error
// text EventBridge returns as InvalidEventPatternException), matching a
// single pattern against a JSON event, and an indexed multi-rule Matcher. It
// touches no storage, clock, network or other Vigil package.
//
// # Semantics
//
// The language follows AWS's EventBridge user guide ("Event patterns",
// "Content filtering", "Comparison operators", "Matching null values and
// empty strings", "Arrays in event patterns"). Where the guide is silent, the
// behaviour of AWS's open-source event-ruler (the engine inside EventBridge)
// was studied from its README and rule compiler and re-implemented here in
// our own code. The decisions, each with its source:
//
//   - Field values in a pattern are always arrays; the field matches when any
//     array value matches (guide, "Matching event values"). Fields are AND-ed,
//     nested objects are AND-ed (guide).
//   - An array in the event matches when any element matches (guide, "Arrays
//     in event patterns"). Arrays of objects are matched array-consistently:
//     two pattern fields can never be satisfied by leaves that sit in
//     different elements of the same event array (event-ruler README, "JSON
//     Array Matching", rulesForJSONEvent — the matcher EventBridge uses).
//   - Null and the empty string are distinct values; [null] matches only a
//     JSON null, [""] only an empty string (guide, null values page). A
//     missing field never matches a value.
//   - Numbers in a pattern match JSON numbers only, never numeric strings,
//     and compare by value ("300" never matches 300; 300 matches 3.0e2)
//     (event-ruler compiler: numbers get a numeric-equality matcher plus a
//     literal matcher; the literal keeps values outside the numeric range,
//     such as 12-digit account ids, matchable).
//   - numeric compares JSON numbers in [-5.0e9, 5.0e9] with six decimal
//     places (guide and event-ruler README); pattern operands outside that
//     range are rejected; event numbers outside it never match a range.
//   - prefix, suffix, equals-ignore-case, wildcard and cidr only match string
//     values (event-ruler README). Case-insensitive comparison uses Unicode
//     simple case folding (Go's strings.EqualFold), which approximates Java's
//     toLowerCase used by event-ruler.
//   - A pattern string that is an IP address also matches any other textual
//     form of the same address (event-ruler compiler: exact strings that parse
//     as IPs become single-address ranges).
//   - anything-but matches a present value that is not excluded; values of
//     another type than the excluded ones are not excluded (anything-but "x"
//     matches 5 and null). A missing field never matches anything-but
//     (event-ruler: anything-but is a value matcher, absence is separate).
//   - exists: true matches when the field is present as a leaf (any value,
//     including null); an object, an empty object or an empty array is not a
//     leaf (event-ruler README, "Exists matching ... only works on the leaf
//     nodes"). exists: false matches when no leaf exists at that path anywhere
//     in the event — also not inside any element of an array. This is our
//     decision: neither the guide nor event-ruler's README says how absence
//     combines with array-consistent matching (testdata/exists).
//   - $or takes an array of at least two objects, at any nesting level; the
//     pattern is expanded to a disjunction of conjunctions (event-ruler
//     JsonRuleCompiler). "$or" followed by an object is an ordinary field name
//     (event-ruler README, backward compatibility).
//   - Nested field names are joined with "." exactly as event-ruler does, so a
//     key containing a dot can alias a nested path (event-ruler README caveat).
//   - Duplicate keys in a pattern: the last one wins (Jackson/event-ruler map
//     semantics).
//   - wildcard: "*" matches any run of characters, "\*" a literal star, "\\"
//     a backslash; consecutive stars and any other escape are rejected
//     (event-ruler README).
//
// # Scanning events
//
// Events are read by a fast scanner (scan.go, walk.go) that walks a tree of
// the paths the patterns refer to and skips everything else; when it meets
// anything unusual (an escaped key, a malformed event) it gives up and the
// reference scanner (flatten.go) reads the event again and alone reports
// errors. The fast scanner must never accept an event the reference
// rejects, nor flatten one differently; TestFastScanAgreesWithReference,
// the walk tests and FuzzScan check this. It reads a copy of the event
// padded with zero bytes, in one loop with an explicit stack, finds the end
// of every string with a bit scan of a per-event mask of quote, backslash
// and control bytes (stopmask.go: AVX2 or SSE2 on amd64, portable Go
// elsewhere or with the purego build tag), and finds most keys through a
// small direct-mapped table (keydirect.go).
//
// # Concurrency
//
// A *Pattern is immutable after Compile and safe for concurrent use. A
// *Matcher is safe for concurrent use: MatchEvent may run in parallel with
// itself and with Add/Remove (writers are serialized by a lock). The index is
// rebuilt lazily by the first MatchEvent after a change, so batches of
// Add/Remove cost one rebuild.
package eventpattern
