// Package transform implements what a rule target receives for an event:
// the whole event, a constant Input, the part of the event an InputPath
// selects, or an InputTransformer's template filled from the event. Compile
// validates the settings as PutTargets does; Apply runs per delivery. It is
// a pure library (no clock: the ingestion time comes in Vars).
//
// Semantics follow AWS's "Amazon EventBridge input transformation" and the
// PutTargets / InputTransformer API reference:
//
//   - At most one of Input, InputPath and InputTransformer. Input is JSON
//     text of at most 8192 characters, sent as given. InputPath and each
//     InputPathsMap value are JSON paths of at most 256 characters.
//   - JSON paths: the subset AWS documents — `$` (the whole event), dot
//     notation (`$.detail.instance-id`, names with letters, digits, dashes,
//     underscores and forward slashes), array indices (`[0]`) and
//     wildcards (`.*`, `[*]`). A path with a wildcard selects the array of
//     its matches. Bracketed names, negative indices, slices, filters and
//     deep scan (`..`) are refused as unsupported.
//   - InputPathsMap: at most 100 variables; names match [A-Za-z0-9_-]+ (at
//     most 256), so none starts with "AWS."; the predefined names are
//     reserved.
//   - InputTemplate: 1-8192 characters; <name> is replaced by the variable.
//     Predefined: <aws.events.rule-arn>, <aws.events.rule-name>,
//     <aws.events.event.ingestion-time> (ISO 8601), <aws.events.event> (the
//     event without its detail field) and <aws.events.event.json> (the whole
//     event); the last two only as JSON values, never inside a string.
//   - A template starting with { or [ is JSON: it must be valid JSON once
//     filled in, and a placeholder cannot be an object key. One starting
//     with a quote is JSON when it is a valid JSON string once filled in
//     (the documented "\"<aws.events.rule-name> triggered\""), else plain
//     text (our decision). Outside
//     quotes a value is inserted as JSON: strings with their quotes ("Simple
//     JSON": {"instance": <instance>} gives "i-0123456789"), numbers,
//     booleans, null, objects and arrays as they are. Inside quotes a string
//     is inserted as its escaped content (the "escaped quotes" example keeps
//     \" as \"), other scalars as their text, and an object or array loses
//     its internal quotes ("EventBridge removes any internal quotes to
//     ensure a valid string"). The output is minified ("The JSON that is
//     passed to the target is minified").
//   - Any other template is plain text, sent as the text (the API
//     reference's "<instance> is in state <status>"): strings inserted
//     decoded, other values as compact JSON.
//
// Our decisions where AWS is silent:
//
//   - A path the event lacks ("that variable isn't created and won't appear
//     in the output") inserts null outside quotes in a JSON template — so
//     the output stays JSON — and nothing inside quotes or in plain text. An
//     InputPath the event lacks sends null.
//   - <text> that names no variable is literal text (templates may carry
//     markup such as <b>), not an error.
//   - <aws.events.event.ingestion-time> is RFC 3339 UTC with whole seconds,
//     like the event's own "time".
//   - With duplicate names in an event object, a path selects the last.
//   - Error messages are ours (AWS documents none for these checks); each
//     is a ValidationException message (*Error).
//   - The CloudWatch Logs target's special handling of "timestamp" and
//     "message" belongs to that target, not here.
package transform
