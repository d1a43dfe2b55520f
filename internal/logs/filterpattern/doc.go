// Package filterpattern is the CloudWatch Logs filter-pattern language: the syntax
// metric filters, subscription filters, FilterLogEvents and Live Tail use to match
// log events ("Filter pattern syntax for metric filters, subscription filters,
// filter log events, and Live Tail" in the CloudWatch Logs User Guide).
//
// It is a pure library: Parse turns a pattern into an immutable *Pattern, Match
// tests one event message, Extract and Value give what a metric filter publishes.
// It owns no state, does no I/O and must not import other Vigil packages; the Logs
// handlers map its *Error to InvalidParameterException.
//
// # Families
//
//   - "" (or blanks): matches every event.
//   - Terms: ERROR, "exact phrase", -exclude, ?alternative.
//   - %regex%: the documented subset, standalone.
//   - JSON: { $.a.b[0] = "x" && ($.n > 5 || $.c IS NULL) }.
//   - Space-delimited: [ip, user, ..., status_code = 4*, bytes > 1000].
//
// # Semantics, with their sources
//
// Terms (User Guide, "Using filter patterns to match terms in log events"):
//   - Case sensitive ("Filter patterns are case sensitive").
//   - A term matches wherever it occurs in the message, not only on word boundaries:
//     the guide's single-term example ERROR matches "Exiting with ERRORCODE: -1",
//     and %AUTHORIZED% matches "UNAUTHORIZED REQUEST".
//   - Unquoted terms may contain only letters, digits and '_' ("terms that include
//     characters other than alphanumeric or underscore must be placed inside double
//     quotes"); anything else is rejected with "Invalid character(s) in term" (a
//     message CloudWatch Logs returns). Inside quotes (terms, JSON and
//     space-delimited values alike) \" is a quote and \\ a backslash, as the AWS
//     CDK's quoting does; any other backslash is literal ("a\nb" is a, backslash,
//     n, b).
//   - A quoted phrase matches as written (spaces included); a phrase of only blanks
//     (" ") matches every event, as documented.
//   - Grouping: terms AND together; every ?term opens a new alternative clause that
//     the following plain and -terms join; the terms before the first ? form the
//     first clause. This is the reading under which the CDK's anyTermGroup encoding
//     (?"ERROR" "MainThread" ?"WARN" "Deadlock") means what it documents, and it gives
//     the documented results for ERROR ARGUMENTS, ?ERROR ?WARN and ERROR -WARN.
//     The older guide writes "ERROR" - "Exiting": blanks may follow ? and -.
//
// Regular expressions (User Guide, "Supported regular expressions (regex) syntax"):
//   - Only alphanumerics, the symbols : _ # = @ / ; , - and the operators
//     ^ $ ? [ ] { } | \ * + . are allowed. Parentheses, even escaped, are rejected with
//     "Invalid character(s) in term" (observed from AWS); so are blanks, other
//     symbols (%something!% is the docs' example) and multi-byte characters. Escapes:
//     an allowed symbol or operator, \d \D \s \S \w \W and \xHH (AWS recommends \x28
//     and \x29 for parentheses). Everything else is an explicit error.
//   - A regex matches anywhere in the message (RE2 semantics, ASCII classes); ^ and $
//     anchor at the start and end of the message; matching is case sensitive.
//   - At most 2 regexes in one JSON or space-delimited pattern (documented quota).
//     The per-log-group quota of 5 regex patterns is the handler's: see RegexCount.
//
// JSON patterns (User Guide, JSON section, and the CDK's JSON pattern builders):
//   - The event must be exactly one JSON object (surrounding whitespace allowed);
//     anything else, including malformed or trailing text, never matches, whatever
//     the conditions (NOT EXISTS included). Nesting deeper than 512 levels counts as
//     malformed. With duplicate keys the last one wins.
//   - Selectors: $ then .name and [N] steps, names of alphanumerics, '-' and '_',
//     the first step a .name. Wildcard selectors ($.a[*], $.*) are rejected.
//   - A selector that points to an object or array, or to nothing, matches neither
//     = nor != ("both {$.users = 1} and {$.users != 1} will fail to match" when users
//     is an array); use NOT EXISTS for absence.
//   - Values: "quoted", %regex%, or unquoted (letters, digits and _ . * + -, the
//     characters the documented examples use unquoted: 123.123.*, +1000, 1e-3).
//   - '*' at the start and/or end of a string value is a wildcard, elsewhere it is
//     literal ("Ev*ent will only match the actual string Ev*ent"); * alone matches any
//     value (the docs' { $.latency = * }); quoted values take wildcards too
//     ({ $.eventType = "*" } in the dimensions example).
//   - An unquoted number (integer, decimal, optional sign, optional exponent)
//     compares numerically with = and != when the value is a number or a string that
//     reads as one (400, 400.0, 4e2 and "400" all equal 400), otherwise as text. <,
//     <=, >, >= require a number literal; a value that is not numeric never
//     satisfies them. A quoted value always compares as text.
//   - Strings compare on their unescaped content; numbers on their text as written
//     (so { $.status = 4* } matches 404); true, false and null as those words
//     (IS TRUE, IS FALSE and IS NULL test the JSON type itself).
//   - Precedence () > && > ||; keywords (IS, TRUE, NOT EXISTS…) are case-insensitive.
//     IS NOT and EXISTS are documented as unsupported and rejected by name; so is !.
//
// Space-delimited patterns (User Guide, space-delimited section):
//   - The event splits on blanks (spaces, tabs; runs count once); a field starting
//     with " runs to the next ", one starting with [ to the next ]; the field's value
//     excludes them. An unclosed quote or bracket runs to the end of the event.
//   - Without ... the event must have exactly as many fields as the pattern
//     ([w1=ERROR, w2] matches "ERROR message", not "ERROR WARN message"); one ...
//     (at most one) takes any number of fields, at any position.
//   - A field's condition may combine comparisons with && and || (parentheses
//     allowed), but only of that same field: AWS rejects the guide's former example
//     [..., status_code = 4* && bytes > 1000]. Field names compare case-insensitively
//     (the guide writes [w1=ERROR || W1=WARNING, w2]).
//   - A trailing or empty element ([..., status_code=4*,]) is an unnamed field.
//   - Extracted values (TestMetricFilter's extractedValues, Extract) are "$name" for
//     named fields and "$N" (1-based position) for the unnamed ones and those the
//     ellipsis covers, as in the guide's example ("$7": "1534").
//
// Metric filters: Value(message, "$.latency") or Value(message, "$size") gives the
// metricValue or a dimension's value for a matching event; CheckRef validates a
// reference when the filter is created; SupportsDimensions says whether the pattern
// may carry dimensions (JSON and space-delimited only; otherwise MsgNoDimensions).
//
// # Errors
//
// Every rejection is an *Error whose Message is what AWS returns: MsgInvalid in
// general, MsgInvalidCharacter for characters terms and regexes may not contain,
// MsgUnclosedBrace / MsgUnclosedBracket for an unclosed JSON or space-delimited
// pattern. Reason and Offset say precisely what is wrong. No documented construct is
// silently accepted as match-everything.
//
// # Performance
//
// Matching never allocates for terms, JSON and space-delimited patterns (except to
// unescape a compared JSON string that has escapes). Terms use substring search;
// JSON runs one validating pass over the event that records only the values the
// selectors need (a trie of the selectors); space-delimited events are split into a
// stack buffer. See bench_test.go.
package filterpattern
