package query

import (
	"sort"
	"strings"
)

// FuncKind says where a function may be used.
type FuncKind uint8

const (
	// Scalar functions work on one event's values, in any command.
	Scalar FuncKind = iota
	// Aggregate functions (avg, count, ...) and the stats-only functions
	// earliest, latest, sortsFirst and sortsLast summarize many events;
	// they are allowed only in the aggregation list of stats.
	Aggregate
)

// Function describes one function of the language: its canonical spelling,
// its group in AWS's reference, and how many arguments it takes. MaxArgs -1
// means any number from MinArgs up.
type Function struct {
	Name      string
	Group     string
	Kind      FuncKind
	MinArgs   int
	MaxArgs   int
	StarArg   bool // count(*)
	PeriodArg int  // index of the argument that must be a time period, or -1
}

// Groups, named after the sections of AWS's "Boolean, comparison, numeric,
// datetime, and other functions" page (CWL_QuerySyntax-operations-functions)
// and of the stats page (CWL_QuerySyntax-Stats, "Functions to use with
// stats").
const (
	GroupNumeric   = "numeric"
	GroupDatetime  = "datetime"
	GroupGeneral   = "general"
	GroupJSON      = "json"
	GroupIP        = "ip"
	GroupString    = "string"
	GroupDataProt  = "data-protection"
	GroupAggregate = "aggregation"
	GroupStatsOnly = "stats-non-aggregation"
)

func fn(name, group string, kind FuncKind, min, max int) *Function {
	return &Function{Name: name, Group: group, Kind: kind, MinArgs: min, MaxArgs: max, PeriodArg: -1}
}

// functionList is the function table. The function package that evaluates
// the scalar functions (internal/insights/funcs) is written separately from
// the same pages; its names and arities are mirrored here so the two can be
// cross-checked with Functions(). The functions our copy of the page did
// not show in full (round ... decToHex, if, case, now, parseDate, formatDate
// and its alias strftime, the query* functions, isPrivateIP ...,
// jsonArray*, split, regexReplace, the url/base64/hex conversions) take the
// arities that package documents from the current page.
var functionList = []*Function{
	// Numeric operations.
	fn("abs", GroupNumeric, Scalar, 1, 1),
	fn("ceil", GroupNumeric, Scalar, 1, 1),
	fn("floor", GroupNumeric, Scalar, 1, 1),
	fn("greatest", GroupNumeric, Scalar, 1, -1),
	fn("least", GroupNumeric, Scalar, 1, -1),
	fn("log", GroupNumeric, Scalar, 1, 1),
	fn("sqrt", GroupNumeric, Scalar, 1, 1),
	fn("round", GroupNumeric, Scalar, 1, 2),
	fn("haversine", GroupNumeric, Scalar, 4, 4),
	fn("toNumber", GroupNumeric, Scalar, 1, 1),
	fn("toInt", GroupNumeric, Scalar, 1, 1),
	fn("toLong", GroupNumeric, Scalar, 1, 1),
	fn("toDouble", GroupNumeric, Scalar, 1, 1),
	// Datetime functions. bin is further restricted to stats ... by.
	{Name: "bin", Group: GroupDatetime, Kind: Scalar, MinArgs: 1, MaxArgs: 1, PeriodArg: 0},
	{Name: "datefloor", Group: GroupDatetime, Kind: Scalar, MinArgs: 2, MaxArgs: 2, PeriodArg: 1},
	{Name: "dateceil", Group: GroupDatetime, Kind: Scalar, MinArgs: 2, MaxArgs: 2, PeriodArg: 1},
	fn("fromMillis", GroupDatetime, Scalar, 1, 1),
	fn("toMillis", GroupDatetime, Scalar, 1, 1),
	fn("now", GroupDatetime, Scalar, 0, 0),
	fn("parseDate", GroupDatetime, Scalar, 2, 3),
	fn("formatDate", GroupDatetime, Scalar, 2, 3),
	fn("strftime", GroupDatetime, Scalar, 2, 3), // alias of formatDate
	// General functions.
	fn("ispresent", GroupGeneral, Scalar, 1, 1),
	fn("coalesce", GroupGeneral, Scalar, 1, -1),
	fn("if", GroupGeneral, Scalar, 3, 3),
	fn("case", GroupGeneral, Scalar, 2, 21), // up to 10 branches and a default
	fn("isNumeric", GroupGeneral, Scalar, 1, 1),
	fn("messageSize", GroupGeneral, Scalar, 1, 1),
	fn("queryStartTime", GroupGeneral, Scalar, 0, 0),
	fn("queryEndTime", GroupGeneral, Scalar, 0, 0),
	fn("queryTimeRange", GroupGeneral, Scalar, 0, 0),
	// JSON functions.
	fn("jsonParse", GroupJSON, Scalar, 1, 1),
	fn("jsonStringify", GroupJSON, Scalar, 1, 1),
	fn("jsonArrayContains", GroupJSON, Scalar, 2, 2),
	fn("jsonArraySize", GroupJSON, Scalar, 1, 1),
	// IP address string functions.
	fn("isValidIp", GroupIP, Scalar, 1, 1),
	fn("isValidIpV4", GroupIP, Scalar, 1, 1),
	fn("isValidIpV6", GroupIP, Scalar, 1, 1),
	fn("isIpInSubnet", GroupIP, Scalar, 2, 2),
	fn("isIpv4InSubnet", GroupIP, Scalar, 2, 2),
	fn("isIpv6InSubnet", GroupIP, Scalar, 2, 2),
	fn("isPrivateIP", GroupIP, Scalar, 1, 1),
	fn("isPublicIP", GroupIP, Scalar, 1, 1),
	fn("isReservedIP", GroupIP, Scalar, 1, 1),
	fn("ipv4ToNumber", GroupIP, Scalar, 1, 1),
	// String functions.
	fn("isempty", GroupString, Scalar, 1, 1),
	fn("isblank", GroupString, Scalar, 1, 1),
	fn("concat", GroupString, Scalar, 1, -1),
	fn("ltrim", GroupString, Scalar, 1, 2),
	fn("rtrim", GroupString, Scalar, 1, 2),
	fn("trim", GroupString, Scalar, 1, 2),
	fn("strlen", GroupString, Scalar, 1, 1),
	fn("toupper", GroupString, Scalar, 1, 1),
	fn("tolower", GroupString, Scalar, 1, 1),
	fn("substr", GroupString, Scalar, 2, 3),
	fn("replace", GroupString, Scalar, 3, 3),
	fn("strcontains", GroupString, Scalar, 2, 3),
	fn("startsWith", GroupString, Scalar, 2, 2),
	fn("endsWith", GroupString, Scalar, 2, 2),
	fn("split", GroupString, Scalar, 2, 2),
	fn("regexReplace", GroupString, Scalar, 3, 3),
	fn("urlencode", GroupString, Scalar, 1, 1),
	fn("urldecode", GroupString, Scalar, 1, 1),
	fn("base64encode", GroupString, Scalar, 1, 1),
	fn("base64decode", GroupString, Scalar, 1, 1),
	fn("hexToAscii", GroupString, Scalar, 1, 1),
	fn("hexToDec", GroupString, Scalar, 1, 1),
	fn("decToHex", GroupString, Scalar, 1, 1),
	// Data protection: unmask(@message) shows masked content.
	fn("unmask", GroupDataProt, Scalar, 1, 1),
	// Aggregation functions in stats.
	fn("avg", GroupAggregate, Aggregate, 1, 1),
	{Name: "count", Group: GroupAggregate, Kind: Aggregate, MinArgs: 0, MaxArgs: 1, StarArg: true, PeriodArg: -1},
	fn("count_distinct", GroupAggregate, Aggregate, 1, 1),
	fn("max", GroupAggregate, Aggregate, 1, 1),
	fn("min", GroupAggregate, Aggregate, 1, 1),
	fn("pct", GroupAggregate, Aggregate, 2, 2),
	fn("stddev", GroupAggregate, Aggregate, 1, 1),
	fn("sum", GroupAggregate, Aggregate, 1, 1),
	// Non-aggregation functions in stats.
	fn("earliest", GroupStatsOnly, Aggregate, 1, 1),
	fn("latest", GroupStatsOnly, Aggregate, 1, 1),
	fn("sortsFirst", GroupStatsOnly, Aggregate, 1, 1),
	fn("sortsLast", GroupStatsOnly, Aggregate, 1, 1),
}

var functionIndex = func() map[string]*Function {
	m := make(map[string]*Function, len(functionList))
	for _, f := range functionList {
		m[strings.ToLower(f.Name)] = f
	}
	return m
}()

// LookupFunction finds a function by name, case-insensitively (AWS's own
// examples write both isPresent and ispresent). The entry is shared and
// must not be modified.
func LookupFunction(name string) (*Function, bool) {
	f, ok := functionIndex[strings.ToLower(name)]
	return f, ok
}

// Functions returns a copy of the function table sorted by name.
func Functions() []Function {
	out := make([]Function, len(functionList))
	for i, f := range functionList {
		out[i] = *f
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
