// Package funcs is the value model of CloudWatch Logs Insights and every
// scalar function and operator of its query language: arithmetic,
// comparison, boolean, like and regular-expression matching, set
// membership, and the numeric, string, datetime, general, JSON, IP and
// data protection (unmask) functions. Aggregations (stats) and commands are
// not here.
//
// The package is pure: no storage, clock, goroutines or other Vigil
// package. The parser (internal/insights/query) turns query text into calls
// to Lookup, Compare, Arith, Like, CompileRegex …; the executor evaluates
// them per row and supplies the query's times in an Env. Everything here is
// safe for concurrent use.
//
// # Sources
//
// The specification is AWS's CloudWatch Logs User Guide: "Boolean,
// comparison, numeric, datetime, and other functions"
// (CWL_QuerySyntax-operations-functions, the current page with round,
// haversine, toNumber…, case, if, isNumeric, regexReplace, split, the hex
// and base64 functions, parseDate and formatDate), "filter"
// (CWL_QuerySyntax-Filter: like, not like, =~, in), "CloudWatch Logs
// Insights language query syntax" (CWL_QuerySyntax: ispresent gives 0 or 1,
// filter isRes), "Sample queries" (CWL_QuerySyntax-examples) and the older
// single-page syntax reference (awsdocs/amazon-cloudwatch-logs-user-guide,
// CWL_QuerySyntax.md). Each testdata file cites the section its documented
// examples come from. Where the guide is silent, the decisions below are
// ours, chosen for what an AWS user would expect and applied uniformly.
//
// # Values
//
// A Value is null (a missing field), a boolean, a finite number, a string,
// a timestamp (milliseconds since the epoch), or a map or list made by
// jsonParse or split. Numbers never hold NaN or ±Inf: a non-finite result
// is null.
//
//   - Booleans print as 1 and 0 (CWL_QuerySyntax: "The value of isRes is
//     either 0 or 1") and count as 1 and 0 in arithmetic and comparisons.
//     The guide gives some predicates a Number result (isempty, isblank,
//     strcontains, startsWith, endsWith) and others a Boolean one
//     (ispresent, isNumeric, the IP functions); both kinds are kept as
//     documented, and print alike.
//   - Numbers print in their shortest round-trip form, positional below
//     1e21 (1642195111000, as the guide's toMillis example shows), with an
//     exponent beyond (1e+21, 1e-7) — JavaScript's rule.
//   - Timestamps print in UTC as "2024-01-02 03:04:05.678", the way result
//     cells show @timestamp.
//   - Maps and lists print as compact JSON, members in input order.
//
// # Coercion
//
// Log fields are mostly text, so a string that reads as a decimal number
// (ParseNumber: optional blanks and sign, digits, fraction, exponent; no
// hex, Inf or NaN) has a numeric view, and so do booleans (1/0) and
// timestamps (milliseconds). Arithmetic and the numeric functions use the
// numeric view; the string functions use the printed form of numbers,
// booleans and timestamps. The datetime functions take timestamps, numbers
// or numeric strings (milliseconds) and, beyond the guide, ISO 8601 text.
// Maps and lists have neither view (the guide: "Maps and lists are treated
// as null for string, number, and datetime functions").
//
// # Missing values
//
// A missing argument makes a function's result missing, except for the
// functions whose purpose is to test for it: ispresent, isempty, isblank,
// coalesce, case and if (a null condition is false). An argument of the
// wrong kind (a word where a number belongs) also gives null, as does a
// result that is not finite: 1/0, sqrt(-1), log(0). Predicates over text
// that is not valid input (isValidIp("x"), isIpInSubnet with a malformed
// subnet, jsonArrayContains on invalid JSON) are false rather than null,
// since answering the question is their purpose. greatest and least skip
// missing and non-numeric arguments, as SQL engines that ignore nulls do.
//
// # Comparison and logic
//
// Compare is SQL-like: a null operand gives null (unknown), which filter
// treats as false and not keeps null, so neither x = "a" nor x != "a"
// selects events without x. Two operands with numeric views compare as
// numbers ("200" = 200, "1.0" = "1", duration > 2000 on a text field);
// other strings compare case-sensitively by code point; a boolean equals
// the words "true" and "false"; a number against any other word is
// unequal and unordered. Maps and lists compare false with anything, as
// the guide says. and, or and not use three-valued logic over Truthy,
// which reads numbers as non-zero, strings as non-empty and not "false",
// and null as false. in is = against each element.
//
// # Matching
//
// like "text" is a case-sensitive substring test; like /re/ and =~ /re/
// search for an RE2 regular expression anywhere in the value ((?i) for
// case-insensitive, ^ and $ to anchor). Numbers match by their printed
// form, so statusCode like /2\d\d/ works on numeric fields. RE2 lacks
// look-around and back-references, which AWS's Java-based engine may
// accept; such patterns are refused with ErrRegex.
//
// # Functions
//
// Lookup is case-insensitive (toUpper is toupper). Func carries the arity
// and, where literal arguments can be wrong, a Check the planner runs so a
// query with bin(5x), an unparsable regexReplace pattern, a subnet not in
// CIDR notation or an unknown time zone is refused up front, each error
// wrapping a named Err value. At run time Call never fails: a bad
// per-row argument gives null (or false, above).
//
//   - Periods (bin, datefloor, dateceil) are a positive integer and a unit:
//     ms, s, m, h as the guide lists for all datetime functions, plus d, w,
//     mo, q, y and the spellings bin documents, in every function. AWS's
//     caps apply: at most 1000ms, 60s, 60m and 24h (bin(300s) is 60s).
//     Buckets are UTC: fixed periods are multiples since the epoch, weeks
//     start on Monday, months, quarters and years on the first of a month.
//     bin takes @timestamp implicitly (Func.Implicit).
//   - substr counts code points from zero (the guide: substr("xyZfooxyZ",
//     3, 3) is "foo"), clamps a negative start to 0 and a long length to
//     the end; strlen counts code points; messageSize bytes.
//   - trim, ltrim and rtrim remove Unicode white space, or with a second
//     argument only its characters. toupper and tolower use Unicode simple
//     case mapping (ß stays ß); strcontains with a true third argument uses
//     simple case folding.
//   - replace replaces literal text (an empty search changes nothing);
//     regexReplace uses RE2 with $1 and ${name} in the replacement; split
//     splits on literal text.
//   - round is half away from zero on the decimal digits shown, so
//     round(2.675, 2) is 2.68; toInt and toLong truncate and are null
//     outside 32 and 64 bits; haversine uses a 6371 km Earth radius.
//   - now() is epoch seconds; queryStartTime(), queryEndTime() and
//     queryTimeRange() milliseconds; all come from the Env.
//   - parseDate reads a subset of Java DateTimeFormatter patterns and
//     formatDate (alias strftime) writes strftime directives, both in UTC
//     unless given an IANA zone or an offset; the server's local zone is
//     never used. Zone names need the host's time zone database (or an
//     embedded one in the binary).
//   - jsonParse keeps member order (a repeated key keeps its first place
//     and its last value), reads numbers as float64 and returns null for
//     anything that is not a JSON object or array; Value.Get and
//     Value.Index are the dot and bracket operators (zero-based).
//     jsonArrayContains compares elements by their JSON text, strings
//     unquoted.
//   - IP addresses: dotted IPv4 without leading zeros, IPv6 without zones;
//     ::ffff:a.b.c.d is IPv6 for the validators and subnet tests but is
//     judged by its IPv4 address in isPrivateIP, isPublicIP and
//     isReservedIP. A subnet's host bits are ignored. isPrivateIP is RFC
//     1918 plus IPv6 unique-local; isReservedIP the non-global entries of
//     the IANA special-purpose registries plus multicast and 240.0.0.0/4;
//     isPublicIP is valid, not reserved and, for IPv6, in 2000::/3.
//
// The full list with arities is what Names returns; the testdata directory
// shows each function's behaviour, documented examples first.
package funcs
