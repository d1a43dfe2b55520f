package insights

import (
	"strings"

	"github.com/vigilhq/vigil/internal/insights/funcs"
)

// Field discovery for the log types "Supported logs and discovered fields"
// (CWL_AnalyzeLogData-discoverable-fields) lists besides JSON: Lambda logs,
// Amazon VPC flow logs and Route 53 logs. (CloudTrail logs are JSON and
// take discoverJSON; every other type has only the system fields.)
//
// AWS does not say how it recognises a type. Ours is decided by the event
// itself: each format below is specific enough (fixed keywords, field
// counts and shapes) that an application line is not mistaken for one.
// The log group name is used once, for Lambda: a non-JSON event of a
// /aws/lambda/ group that is in none of the Lambda runtime's own shapes
// still gets its first embedded JSON object discovered (our decision).

// discovery collects the fields one detector finds: the ones env wants, or
// all of them when env is nil (GetLogGroupFields).
type discovery struct {
	env *fieldEnv
	out []namedVal
	// body is where a Lambda event's embedded JSON object is looked for
	// ("" when the event has none to look for).
	body string
}

// add records a discovered field; a null value (a '-' placeholder) is no
// field at all, and a name given twice (a REPORT line repeating an item)
// keeps its first value.
func (d *discovery) add(name string, v funcs.Value) {
	if v.IsNull() || (d.env != nil && !d.env.want[name]) {
		return
	}
	for _, f := range d.out {
		if f.name == name {
			return
		}
	}
	d.out = append(d.out, namedVal{name, v})
}

// detect runs the detectors in turn; each rejects a foreign message on its
// first bytes, so a JSON event (which reaches here only when it had none of
// the wanted fields) costs a few comparisons.
func detect(msg, group string, d *discovery) bool {
	return discoverVPCFlow(msg, d) || discoverRoute53(msg, d) || discoverLambda(msg, group, d)
}

// discoverText returns the fields env wants of a message that is not a JSON
// object with any of them: the fields of its format, if it has one of the
// formats above, and for Lambda the fields of its first embedded JSON
// object, flattened as discoverJSON flattens a whole JSON event.
func discoverText(msg, group string, env *fieldEnv) []namedVal {
	d := discovery{env: env}
	if !detect(msg, group, &d) {
		return nil
	}
	if d.body != "" {
		_, fields := jsonFragment(d.body, env)
		d.out = append(d.out, fields...)
	}
	return d.out
}

// discoveredNames calls fn with the name of every field discovered in msg,
// a message that is not a JSON object (GetLogGroupFields).
func discoveredNames(msg, group string, fn func(string)) {
	d := discovery{}
	if !detect(msg, group, &d) {
		return
	}
	for _, f := range d.out {
		fn(f.name)
	}
	if d.body == "" {
		return
	}
	if frag, _ := jsonFragment(d.body, nil); frag != "" {
		v, _ := funcs.ParseJSON(frag)
		seen := 0
		leafNames(v, nil, &seen, fn)
	}
}

// lambdaGroupPrefix is where Lambda writes a function's logs unless it is
// configured with another log group.
const lambdaGroupPrefix = "/aws/lambda/"

// discoverLambda discovers the fields of a Lambda log event
// (CWL_AnalyzeLogData-discoverable-fields, "Lambda logs": @requestId,
// @duration, @billedDuration, @type, @maxMemoryUsed, @memorySize, and
// @xrayTraceId and @xraySegmentId when the line carries an X-Ray trace ID;
// the fields of "the first embedded JSON fragment in each log event").
//
// The Lambda developer guide (nodejs-logging, python-logging) shows the
// lines a runtime writes:
//
//	START RequestId: c793869b-ee49-115b-a5b6-4fd21e8dedac Version: $LATEST
//	2019-06-07T19:11:20.562Z	c793869b-ee49-115b-a5b6-4fd21e8dedac	INFO	ENVIRONMENT VARIABLES
//	[INFO]	2020-01-14T19:25:40.119Z	1c8df7d3-xmpl-46da-9778-518e6eca8125	message
//	END RequestId: c793869b-ee49-115b-a5b6-4fd21e8dedac
//	REPORT RequestId: c793869b-…	Duration: 128.83 ms	Billed Duration: 200 ms	Memory Size: 128 MB	Max Memory Used: 74 MB	Init Duration: 166.62 ms	XRAY TraceId: 1-5d9d007f-0a8c7fd02xmpl480aed55ef0	SegmentId: 3d752xmpl1bbe37e	Sampled: true
//
// START, END and REPORT lines give @type (the keyword) and @requestId;
// REPORT lines the measures (see discoverLambdaReport). An application
// line, which starts with a UTC timestamp and the request ID (after a
// "[LEVEL]" for Python; separated by tabs, or spaces as in the runtime's
// "Task timed out" line), gives @requestId, and its text after the request
// ID is searched for an embedded JSON object; so is any other non-JSON
// event of a /aws/lambda/ log group.
func discoverLambda(msg, group string, d *discovery) bool {
	if typ, id, rest, ok := lambdaPlatformLine(msg); ok {
		d.add("@type", funcs.Str(typ))
		d.add("@requestId", funcs.Str(id))
		if typ == "REPORT" {
			discoverLambdaReport(rest, d)
		}
		return true
	}
	if id, body, ok := lambdaAppLine(msg); ok {
		d.add("@requestId", funcs.Str(id))
		d.body = body
		return true
	}
	if strings.HasPrefix(group, lambdaGroupPrefix) && strings.IndexByte(msg, '{') >= 0 && !looksLikeObject(msg) {
		d.body = msg
		return true
	}
	return false
}

// lambdaPlatformLine recognises a START, END or REPORT line: its keyword,
// request ID and the text after the ID.
func lambdaPlatformLine(msg string) (typ, id, rest string, ok bool) {
	for _, typ := range [...]string{"START", "END", "REPORT"} {
		after, ok := strings.CutPrefix(msg, typ)
		if !ok {
			continue
		}
		if after, ok = strings.CutPrefix(after, " RequestId: "); ok {
			id, rest := cutToken(after)
			return typ, id, rest, id != ""
		}
	}
	return "", "", "", false
}

// lambdaReportFields maps the "Name: value unit" items of a REPORT line to
// the fields they give, with the unit a value must have and the factor it
// is scaled by. Memory is in bytes, 1 MB being 1,000,000: the guide's sample
// query for Lambda memory divides @memorySize and @maxMemoryUsed by 1000
// twice to print megabytes (CWL_QuerySyntax-examples, "Determine the amount
// of overprovisioned memory"). Durations stay in milliseconds, as written.
// Items not listed (Sampled, and the Restore Duration and Status items of
// newer runtimes) are not discovered: the guide names no field for them.
var lambdaReportFields = map[string]struct {
	field, unit string
	scale       float64
}{
	"Duration":        {"@duration", "ms", 1},
	"Billed Duration": {"@billedDuration", "ms", 1},
	"Memory Size":     {"@memorySize", "MB", 1e6},
	"Max Memory Used": {"@maxMemoryUsed", "MB", 1e6},
	"Init Duration":   {"@initDuration", "ms", 1},
	"XRAY TraceId":    {"@xrayTraceId", "", 0},
	"SegmentId":       {"@xraySegmentId", "", 0},
}

// discoverLambdaReport discovers the items of a REPORT line after the
// request ID: "Name: value" items separated by tabs (some runtimes put the
// X-Ray items after a newline). @initDuration is not in the guide's field
// list, but the line carries it on a cold start and queries use it; we
// discover it like the other durations (our decision). A measure whose
// value is not a number in the expected unit is left out.
func discoverLambdaReport(items string, d *discovery) {
	for item := range strings.FieldsFuncSeq(items, func(r rune) bool { return r == '\t' || r == '\n' }) {
		name, value, ok := strings.Cut(strings.TrimSpace(item), ": ")
		if !ok {
			continue
		}
		f, ok := lambdaReportFields[name]
		if !ok {
			continue
		}
		if f.scale == 0 {
			if id, _ := cutToken(value); id != "" {
				d.add(f.field, funcs.Str(id))
			}
			continue
		}
		num, unit, _ := strings.Cut(value, " ")
		x, ok := funcs.ParseNumber(num)
		if ok && unit == f.unit {
			d.add(f.field, funcs.Num(x*f.scale))
		}
	}
}

// lambdaAppLine recognises a runtime's application log line: an optional
// "[LEVEL]" and a tab (Python), a UTC timestamp, the request ID, each
// followed by a tab or a space. It returns the request ID and the rest.
func lambdaAppLine(msg string) (id, rest string, ok bool) {
	s := msg
	if strings.HasPrefix(s, "[") {
		level, after, ok := strings.Cut(s[1:], "]\t")
		if !ok || level == "" || len(level) > 8 || strings.TrimLeft(level, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return "", "", false
		}
		s = after
	}
	ts, s := cutToken(s)
	if !isUTCTimestamp(ts) {
		return "", "", false
	}
	id, rest = cutToken(s)
	if !isRequestID(id) {
		return "", "", false
	}
	return id, rest, true
}

// cutToken splits s at its first blank (space, tab or newline): the token
// before it and the text after it.
func cutToken(s string) (token, rest string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n':
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// isUTCTimestamp reports whether s is an ISO 8601 UTC timestamp as Lambda
// and Route 53 write them: 2019-06-07T19:11:20.562Z (fraction optional).
func isUTCTimestamp(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape)+1 || s[len(s)-1] != 'Z' {
		return false
	}
	for i := range len(shape) {
		if shape[i] == 'd' {
			if !isDigit(s[i]) {
				return false
			}
		} else if s[i] != shape[i] {
			return false
		}
	}
	frac := s[len(shape) : len(s)-1]
	if frac == "" {
		return true
	}
	return len(frac) > 1 && frac[0] == '.' && allDigits(frac[1:])
}

// isRequestID reports whether s has the shape of a Lambda request ID, a
// UUID: 8-4-4-4-12 letters or digits. Letters beyond hex are allowed
// because the guide's examples write some (1c8df7d3-xmpl-46da-…).
func isRequestID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isDigit(c) && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// vpcFlowFields are the fields of the default VPC flow log format, in
// record order, as "Supported logs and discovered fields" names them, and
// whether each is a number.
var vpcFlowFields = [...]struct {
	name    string
	numeric bool
}{
	{"version", true}, {"accountId", false}, {"interfaceId", false},
	{"srcAddr", false}, {"dstAddr", false}, {"srcPort", true}, {"dstPort", true},
	{"protocol", true}, {"packets", true}, {"bytes", true},
	{"startTime", true}, {"endTime", true}, {"action", false}, {"logStatus", false},
}

// discoverVPCFlow discovers the fields of a VPC flow log record in the
// default format (vpc/latest/userguide/flow-log-records.html, "Default
// format"): the version 2 fields separated by single spaces,
//
//	version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
//	2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
//	2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA
//
// discovered as version, accountId, interfaceId, srcAddr, dstAddr,
// srcPort, dstPort, protocol, packets, bytes, startTime, endTime, action
// and logStatus (CWL_AnalyzeLogData-discoverable-fields). A '-' (no value,
// as in NODATA and SKIPDATA records) is no field. Ports, protocol,
// packets, bytes and the Unix-second start and end times are numbers;
// accountId stays text (it may start with 0, or be "unknown").
//
// A record is recognised by its version 2, an eni- interface, a known
// action and log status, and numbers (or '-') where numbers belong. Custom
// formats cannot be told apart without the flow log's format string, which
// the event does not carry; they are not discovered (our decision).
func discoverVPCFlow(msg string, d *discovery) bool {
	if !strings.HasPrefix(msg, "2 ") {
		return false
	}
	var f [len(vpcFlowFields)]string
	if !splitExactly(msg, f[:]) || !strings.HasPrefix(f[2], "eni-") {
		return false
	}
	switch f[12] {
	case "ACCEPT", "REJECT", "-":
	default:
		return false
	}
	switch f[13] {
	case "OK", "NODATA", "SKIPDATA":
	default:
		return false
	}
	for i, spec := range vpcFlowFields {
		if spec.numeric && f[i] != "-" && !allDigits(f[i]) {
			return false
		}
	}
	for i, spec := range vpcFlowFields {
		v := dashNull(f[i])
		if spec.numeric && !v.IsNull() {
			x, _ := funcs.ParseNumber(f[i])
			v = funcs.Num(x)
		}
		d.add(spec.name, v)
	}
	return true
}

// route53Fields are the fields of a Route 53 query log line, in order, as
// "Supported logs and discovered fields" names them.
var route53Fields = [...]string{
	"version", "queryTimestamp", "hostZoneId", "queryName", "queryType",
	"responseCode", "protocol", "edgeLocation", "resolverIp", "ednsClientSubnet",
}

// discoverRoute53 discovers the fields of a Route 53 public DNS query log
// line (Route53/latest/DeveloperGuide/query-logs.html, "Values that appear
// in DNS query logs": log format version, query timestamp, hosted zone ID,
// query name, query type, response code, layer 4 protocol, edge location,
// resolver IP address, EDNS client subnet, separated by spaces):
//
//	1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -
//	1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 192.168.3.1 192.168.222.0/24
//
// discovered as version, queryTimestamp, hostZoneId, queryName, queryType,
// responseCode, protocol, edgeLocation, resolverIp and ednsClientSubnet
// (CWL_AnalyzeLogData-discoverable-fields). All are text, the version and
// timestamp as written; a '-' client subnet (none given) is no field.
// (Resolver query logs are JSON and take discoverJSON.)
func discoverRoute53(msg string, d *discovery) bool {
	if msg == "" || !isDigit(msg[0]) {
		return false
	}
	version, _, _ := strings.Cut(msg, " ")
	major, minor, ok := strings.Cut(version, ".")
	if !ok || !allDigits(major) || !allDigits(minor) {
		return false
	}
	var f [len(route53Fields)]string
	if !splitExactly(msg, f[:]) || !isUTCTimestamp(f[1]) || f[2][0] != 'Z' {
		return false
	}
	for i, name := range route53Fields {
		d.add(name, dashNull(f[i]))
	}
	return true
}

// splitExactly splits s at single spaces into exactly len(f) non-empty
// fields.
func splitExactly(s string, f []string) bool {
	for i := range f {
		if i == len(f)-1 {
			f[i] = s
			break
		}
		tok, rest, ok := strings.Cut(s, " ")
		if !ok {
			return false
		}
		f[i], s = tok, rest
	}
	for _, tok := range f {
		if tok == "" || strings.ContainsAny(tok, " \t\n") {
			return false
		}
	}
	return true
}

// dashNull is a text field whose '-' means no value.
func dashNull(s string) funcs.Value {
	if s == "-" {
		return funcs.Null
	}
	return funcs.Str(s)
}

// jsonFragment finds the first JSON object embedded in s and returns its
// text and the fields env wants of it (env nil: none). Candidates are the
// bracket-balanced groups starting at a '{', tried in order; a group that
// is not a JSON object is skipped whole (an object nested in it is not
// tried), and the search stops at a '{' that is never closed. That keeps
// the search linear in s (our decision; the guide says only "the first
// embedded JSON fragment").
func jsonFragment(s string, env *fieldEnv) (string, []namedVal) {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '{')
		if j < 0 {
			return "", nil
		}
		start := i + j
		end := groupEnd(s, start)
		if end < 0 {
			return "", nil
		}
		if fields, ok := scanObject(s[start:end], env); ok {
			return s[start:end], fields
		}
		i = end
	}
	return "", nil
}

// groupEnd returns the end of the bracket group opening at s[start], with
// brackets inside JSON strings not counted, or -1 when it never closes.
func groupEnd(s string, start int) int {
	depth := 0
	inString := false
	for i := start; i < len(s); i++ {
		c := s[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// noFields is an env wanting nothing: the scanner then only validates.
var noFields = &fieldEnv{want: map[string]bool{}, prefix: map[string]bool{}}

// scanObject reports whether s, which starts with '{', is one JSON object,
// and returns the fields env (nil: none) wants of it, as discoverJSON does.
func scanObject(s string, env *fieldEnv) ([]namedVal, bool) {
	if env == nil {
		env = noFields
	}
	sc := scanners.Get().(*jsonScanner)
	sc.s, sc.env = s, env
	out, ok := sc.run()
	dup := sc.dup
	sc.release()
	if ok {
		return out, true
	}
	if !dup {
		return nil, false
	}
	if v, ok := funcs.ParseJSON(s); !ok || v.Kind() != funcs.KindMap {
		return nil, false
	}
	return discoverJSONTree(s, env), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
