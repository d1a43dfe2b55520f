// Package alarmrule parses and evaluates the AlarmRule expression of a
// CloudWatch composite alarm (PutCompositeAlarm), and finds dependency cycles
// between composite alarms.
//
// It is a pure library: it owns the grammar, the documented limits and the
// truth value of a rule given the states of the alarms it references. It does
// not know which alarms exist, does not touch storage, the clock or the wire:
// the CloudWatch handler resolves Refs against its alarm store, supplies
// states to Eval, and returns the *Error from Parse to the client as a
// ValidationError (its Msg is the whole message).
//
// # Grammar (sources: PutCompositeAlarm's AlarmRule parameter and the User
// Guide page "Create a composite alarm")
//
//	rule     = or EOF
//	or       = and { "OR" and }
//	and      = not { "AND" not }
//	not      = { "NOT" } primary
//	primary  = "(" or ")" | "TRUE" | "FALSE"
//	         | state "(" ref ")"
//	         | "AT_LEAST" "(" threshold "," ["NOT"] state "," "(" ref { "," ref } ")" ")"
//	state    = "ALARM" | "OK" | "INSUFFICIENT_DATA"
//	threshold = digits | digits "%"
//	ref      = quoted | bare
//
// ALARM(x), OK(x) and INSUFFICIENT_DATA(x) are true when alarm x is in that
// state; TRUE and FALSE are constants. AT_LEAST(n, S, (a, b, …)) is true when
// at least n of the listed alarms (or n percent of them, for "n%") are in
// state S, or are not in it for "NOT S" (AT_LEAST shipped in November 2025;
// the syntax is the one CloudFormation and the CDK document for it).
//
// A reference is an alarm name or an alarm ARN
// (arn:partition:cloudwatch:region:account:alarm:name), "surrounded with
// double-quotes, but [they] do not have to be" (AWS). Tokens may be separated
// by any white space, including new lines (the console's own example spans
// lines).
//
// # Our decisions where AWS is silent
//
//   - Precedence is NOT over AND over OR, and AND and OR are associative,
//     as in every Boolean language an AWS user knows; parentheses override.
//     String writes parentheses around every nested AND or OR, so the
//     canonical text does not depend on this choice.
//   - Keywords (AND, OR, NOT, TRUE, FALSE, ALARM, OK, INSUFFICIENT_DATA,
//     AT_LEAST) are upper case only, as every AWS example writes them. A
//     lower-case keyword is refused with a hint rather than accepted,
//     because accepting what CloudWatch might refuse would let a rule pass
//     here and fail in AWS.
//   - A bare (unquoted) reference runs up to white space, '(', ')', ',' or
//     '"'; a name containing any of those must be quoted. AWS refuses
//     ALARM(My Alarm) with "Unsupported token 'Alarm' …, must be: ')'", which
//     is what we do too.
//   - Inside quotes, \" stands for a double quote and \\ for a backslash;
//     any other backslash sequence is refused (not guessed at). A bare
//     reference has no escapes.
//   - A reference that starts with "arn:" is an ARN and must be a well-formed
//     CloudWatch alarm ARN; anything else is a name (1 to 255 characters, the
//     AlarmName limit).
//   - AT_LEAST takes a whole count between 1 and the number of listed alarms,
//     or a whole percentage between 1% and 100%; a percentage p is met when
//     matched*100 >= p*listed. The same alarm may not be listed twice (it
//     would be counted twice).
//   - Limits (documented): at most 10240 characters; at most 100 distinct
//     child alarms (distinct by name: every child is in the composite's own
//     account and Region, so the name identifies it); at most 500 elements,
//     where an element is a child alarm reference, TRUE or FALSE, or a pair
//     of parentheses. We count each reference inside AT_LEAST as a child
//     alarm element and its list's parentheses as one element.
//
// # Errors
//
// Error messages follow the shape CloudWatch returns,
// "Error in AlarmRule [Unsupported token 'X' at char N, must be: …]", with N
// the 0-based character index (AWS reports "Unsupported token ')' at char 1"
// for the rule "()"). Messages for errors AWS does not document are ours,
// in the same bracketed shape.
//
// # Composite state
//
// A composite alarm is INSUFFICIENT_DATA only from its creation until its
// first evaluation ("this initial time after creation is the only time that
// the alarm can be in INSUFFICIENT_DATA state"); afterwards CompositeState
// gives ALARM when the rule is true and OK otherwise. Cycles between
// composites are allowed by AWS; "the evaluation of composite alarms stops if
// CloudWatch detects a cycle in the evaluation path", so a caller should not
// re-evaluate (and should leave in its current state) a composite for which
// EvalCycle reports a cycle.
//
// A *Rule is immutable after Parse and safe for concurrent use.
package alarmrule
