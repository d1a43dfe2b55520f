package insights

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// patternStage is "pattern expr" (CWL_QuerySyntax-Pattern), and with diff
// after it "pattern expr | diff [previousDay|previousWeek|previousMonth]"
// (CWL_QuerySyntax-Diff, CWL_AnalyzeLogData_Compare); logcompare timeshift
// D is this stage over @message with diff's output and a comparison window
// D back (exec_logcompare.go). It is a blocking stage: the rows it gets are
// replaced by one row per pattern.
//
// Output (the fields the guide documents, in its order):
//
//	@pattern       the shared text, each dynamic token written <Name-n>:
//	               n numbers the dynamic tokens from 1, left to right, and
//	               Name is Time, IPAddress or ID when every value of the
//	               token is of that kind, else Token (the guide: "If
//	               CloudWatch Logs can't infer the type of data that a
//	               dynamic token represents, displays it as <Token-number>")
//	@ratio         @sampleCount / the number of values clustered
//	@sampleCount   the events whose value falls in the pattern
//	@severityLabel Error, Warning, Info or Debug: the first level word of the
//	               pattern (ERROR, ERR, FATAL, CRITICAL ... WARN, WARNING ...
//	               INFO, NOTICE ... DEBUG, TRACE, any case); null when it
//	               has none
//
// diff adds @previousSampleCount and @previousRatio, the same measures over
// the comparison window (our names: the guide says comparison queries
// "return only patterns" but names no result fields). Its rows are the
// patterns of either window, so a pattern that is new has
// @previousSampleCount 0 and one that is gone has @sampleCount 0.
//
// The algorithm (ours; AWS's is an undocumented machine-learning model). It
// depends only on the multiset of values, never on the order rows arrive
// in, so a query answers the same on every run:
//
//  1. Tokenize. A value is split into tokens and the separators between
//     them. Separators are runs of white space and of the punctuation
//     , ; : = ( ) [ ] { } < > " ' | / & ?; a token is a maximal run of
//     other bytes. Timestamps are recognized first, across separators
//     (2023-01-01 19:00:01, 2023-01-01T19:00:01.5Z, 2023/01/01 19:00:01,
//     14/Nov/2023:22:13:20 +0000, Nov 14 22:13:20, 19:00:01): one Time
//     token. Then each token is classified: an IPv4 address is IPAddress,
//     a number (optionally with a unit of up to three letters, 31ms, 2.5s,
//     or %) is a number, any other token holding a digit is an ID (request
//     IDs, UUIDs, hex); those kinds are dynamic whatever their values, as
//     in the guide's example where one message already yields <Time-1> and
//     <ID-2>. Tokens without digits are words, kept as literal text.
//  2. Group. Values with the same tokens (dynamic ones by kind only) and
//     separators form one template with a count.
//  3. Merge. Templates are taken by count, descending, ties by their text;
//     each joins the first cluster, in creation order, with the same
//     separators and first token (if a word) in which more than half of
//     the positions holding a word in either are equal words and no level
//     word (see @severityLabel) differs; otherwise it starts a cluster. A
//     joined position whose words or kinds differ becomes a dynamic Token.
//     Values of different token counts never share a pattern.
//
// Patterns come ordered by @sampleCount descending (for diff then by
// @previousSampleCount descending), ties by @pattern (our decision: the
// console lists the most frequent first); sort after pattern reorders them.
// Null and empty values are not clustered and not counted in @ratio.
type patternStage struct {
	src  evalFn
	diff *diffSpec
	// anomaly: an anomaly command reads this stage's patterns
	// (exec_anomaly.go); apply then attaches each pattern's events.
	anomaly *anomalyWindow
	// base is the comparison window's tally for diff, filled by
	// prepareDiff before the scan; apply reads it only.
	base tally
}

var (
	patternCols = []string{"@pattern", "@ratio", "@sampleCount", "@severityLabel"}
	diffCols    = []string{"@previousSampleCount", "@previousRatio"}
)

func compilePattern(c *compiler, cmd *query.PatternCmd) (stage, error) {
	fn, err := c.compile(cmd.Expr)
	if err != nil {
		return stage{}, err
	}
	return stage{kind: stRows, rows: &patternStage{src: fn}}, nil
}

// attachDiff gives the pattern stage that ends stages a comparison window.
// AWS refuses diff anywhere else ("Diff operation has to be used after
// Pattern"); we require it directly after, once.
func attachDiff(stages []stage, cmd *query.DiffCmd) error {
	if n := len(stages); n > 0 {
		if ps, ok := stages[n-1].rows.(*patternStage); ok && ps.diff == nil {
			if err := oneComparison(stages[:n-1], cmd.Pos); err != nil {
				return err
			}
			d := diffPeriod(cmd.Period)
			ps.diff = &d
			return nil
		}
	}
	return errAt(cmd.Pos, "diff must directly follow a pattern command")
}

func (ps *patternStage) apply(rows []*row) []*row {
	tl := tally{}
	tl.add(ps.src, rows, 0)
	for k, e := range ps.base {
		tl.entry(k, e.t).n[1] += e.n[1]
	}
	clusters := cluster(tl)
	var total [2]int
	for _, cl := range clusters {
		total[0] += cl.n[0]
		total[1] += cl.n[1]
	}
	out := make([]*row, 0, len(clusters))
	for _, cl := range clusters {
		r := &row{}
		r.set("@pattern", funcs.Str(cl.pattern))
		r.set("@ratio", funcs.Num(float64(cl.n[0])/float64(total[0])))
		r.set("@sampleCount", funcs.Num(float64(cl.n[0])))
		if sev := cl.severity(); sev != "" {
			r.set("@severityLabel", funcs.Str(sev))
		}
		if ps.diff != nil {
			r.set("@previousSampleCount", funcs.Num(float64(cl.n[1])))
			r.set("@previousRatio", funcs.Num(float64(cl.n[1])/float64(total[1])))
		}
		out = append(out, r)
	}
	if ps.anomaly != nil {
		ps.anomaly.attach(ps.src, rows, clusters, out)
	}
	return out
}

// --- tokens -------------------------------------------------------------------------

type tokKind uint8

const (
	tkWord   tokKind = iota // literal text
	tkNumber                // dynamic kinds from here on
	tkTime
	tkIP
	tkID
	tkMixed // a cluster position whose members differ
)

// tokName is how a dynamic token of the kind is written in @pattern. The
// guide's examples name Time, ID and IPAddress; a number gets Token (its
// example's "Request time: <Time-1> ms" infers the meaning from the words
// around 327, which we do not attempt).
var tokName = [...]string{tkNumber: "Token", tkTime: "Time", tkIP: "IPAddress", tkID: "ID", tkMixed: "Token"}

type token struct {
	kind tokKind
	text string // tkWord only
}

// template is a tokenized value: seps[i] precedes toks[i], and the last sep
// follows the last token.
type template struct {
	seps []string
	toks []token
}

// key identifies a template; shape identifies what a template may merge
// with: its separators and its first token when that is a word.
func (t *template) key() string {
	var b strings.Builder
	for i, tk := range t.toks {
		b.WriteString(t.seps[i])
		b.WriteByte(0)
		b.WriteByte(byte(tk.kind))
		b.WriteString(tk.text)
		b.WriteByte(0)
	}
	b.WriteString(t.seps[len(t.toks)])
	return b.String()
}

func (t *template) shape() string {
	var b strings.Builder
	if len(t.toks) > 0 && t.toks[0].kind == tkWord {
		b.WriteString(t.toks[0].text)
	}
	for _, s := range t.seps {
		b.WriteByte(0)
		b.WriteString(s)
	}
	return b.String()
}

func isSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f',
		',', ';', ':', '=', '(', ')', '[', ']', '{', '}', '<', '>', '"', '\'', '|', '/', '&', '?':
		return true
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

const months = `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`

// timeRE matches the timestamp formats of common logs at the start of the
// text: ISO 8601 and its space-separated form, nginx's 2023/01/01, the
// common log format's 14/Nov/2023:22:13:20 +0000, syslog's Nov 14 22:13:20
// and a bare time of day.
var timeRE = regexp.MustCompile(`^(?:` +
	`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?` +
	`|\d{4}/\d{2}/\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)?` +
	`|\d{1,2}/` + months + `/\d{4}(?::\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?)?` +
	`|` + months + ` {1,2}\d{1,2} \d{2}:\d{2}:\d{2}` +
	`|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)`)

// maxTimeLen bounds the text timeRE looks at (the longest form,
// 2023-01-01T19:00:01.123456789+05:30, has 35 bytes).
const maxTimeLen = 40

// matchTime returns the length of the timestamp at s[i:], or 0.
func matchTime(s string, i int) int {
	c := s[i]
	if !(c >= '0' && c <= '9' || strings.IndexByte("ADFJMNOS", c) >= 0) {
		return 0
	}
	loc := timeRE.FindStringIndex(s[i:min(len(s), i+maxTimeLen)])
	if loc == nil || i+loc[1] < len(s) && isAlnum(s[i+loc[1]]) {
		return 0
	}
	return loc[1]
}

func tokenize(s string) template { return tokenizeRaw(s, nil) }

// tokenizeRaw is tokenize that also appends each token's text to raw, when
// raw is not nil (anomaly reads the values of dynamic tokens).
func tokenizeRaw(s string, raw *[]string) template {
	var t template
	sep := 0
	for i := 0; i < len(s); {
		if n := matchTime(s, i); n > 0 {
			t.seps = append(t.seps, s[sep:i])
			t.toks = append(t.toks, token{kind: tkTime})
			if raw != nil {
				*raw = append(*raw, s[i:i+n])
			}
			i += n
			sep = i
			continue
		}
		if isSep(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && !isSep(s[j]) {
			j++
		}
		t.seps = append(t.seps, s[sep:i])
		t.toks = append(t.toks, classify(s[i:j]))
		if raw != nil {
			*raw = append(*raw, s[i:j])
		}
		i, sep = j, j
	}
	t.seps = append(t.seps, s[sep:])
	return t
}

func classify(w string) token {
	switch {
	case isIPv4(w):
		return token{kind: tkIP}
	case isNumberish(w):
		return token{kind: tkNumber}
	case strings.ContainsAny(w, "0123456789"):
		return token{kind: tkID}
	}
	return token{kind: tkWord, text: w}
}

func isIPv4(w string) bool {
	parts := strings.Split(w, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || len(p) > 3 || n > 255 || strings.ContainsAny(p, "+-") {
			return false
		}
	}
	return true
}

// isNumberish: [+-]digits[.digits] followed by at most three letters or %.
func isNumberish(w string) bool {
	i := 0
	if i < len(w) && (w[i] == '+' || w[i] == '-') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(w) && w[i] >= '0' && w[i] <= '9' {
			i++
		}
		return i - j
	}
	if digits() == 0 {
		return false
	}
	if i < len(w) && w[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	unit := w[i:]
	if unit == "%" {
		return true
	}
	if len(unit) > 3 {
		return false
	}
	for j := 0; j < len(unit); j++ {
		if c := unit[j] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// severities maps level words, lower-cased, to the labels the guide lists.
var severities = map[string]string{
	"error": "Error", "err": "Error", "fatal": "Error", "critical": "Error", "crit": "Error",
	"severe": "Error", "panic": "Error", "alert": "Error", "emerg": "Error", "emergency": "Error",
	"warn": "Warning", "warning": "Warning",
	"info": "Info", "notice": "Info",
	"debug": "Debug", "trace": "Debug",
}

func severityOf(tk token) string {
	if tk.kind != tkWord {
		return ""
	}
	return severities[strings.ToLower(tk.text)]
}

// --- clustering ---------------------------------------------------------------------

// tally counts values by template: n[0] in the query's window, n[1] in
// diff's comparison window.
type tally map[string]*tallied

type tallied struct {
	t template
	n [2]int
}

func (tl tally) entry(key string, t template) *tallied {
	e := tl[key]
	if e == nil {
		e = &tallied{t: t}
		tl[key] = e
	}
	return e
}

// add counts the text of src on each row into window w.
func (tl tally) add(src evalFn, rows []*row, w int) {
	for _, r := range rows {
		v := src(r, nil)
		if v.IsNull() {
			continue
		}
		s := v.String()
		if s == "" {
			continue
		}
		t := tokenize(s)
		tl.entry(t.key(), t).n[w]++
	}
}

type patternCluster struct {
	seps    []string
	toks    []token
	n       [2]int
	pattern string
	keys    []string // the tally keys of the templates merged in
}

func (cl *patternCluster) severity() string {
	for _, tk := range cl.toks {
		if s := severityOf(tk); s != "" {
			return s
		}
	}
	return ""
}

// absorb merges t into cl when more than half the positions holding a word
// in either hold equal words and no level word differs (step 3).
func (cl *patternCluster) absorb(t template) bool {
	same, words := 0, 0
	for i, a := range cl.toks {
		b := t.toks[i]
		if a.kind != tkWord && b.kind != tkWord {
			continue
		}
		words++
		if a == b {
			same++
		} else if severityOf(a) != "" || severityOf(b) != "" {
			return false
		}
	}
	if words > 0 && 2*same <= words {
		return false
	}
	for i, a := range cl.toks {
		if a != t.toks[i] {
			cl.toks[i] = token{kind: tkMixed}
		}
	}
	return true
}

func (cl *patternCluster) render() string {
	var b strings.Builder
	b.WriteString(cl.seps[0])
	n := 0
	for i, tk := range cl.toks {
		if tk.kind == tkWord {
			b.WriteString(tk.text)
		} else {
			n++
			fmt.Fprintf(&b, "<%s-%d>", tokName[tk.kind], n)
		}
		b.WriteString(cl.seps[i+1])
	}
	return b.String()
}

// cluster merges the tally's templates into patterns (step 3), ordered for
// output.
func cluster(tl tally) []*patternCluster {
	keys := make([]string, 0, len(tl))
	for k := range tl {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		x, y := tl[a], tl[b]
		return cmp.Or(cmp.Compare(y.n[0]+y.n[1], x.n[0]+x.n[1]), strings.Compare(a, b))
	})
	var all []*patternCluster
	byShape := map[string][]*patternCluster{}
	for _, k := range keys {
		e := tl[k]
		sh := e.t.shape()
		var into *patternCluster
		for _, cl := range byShape[sh] {
			if cl.absorb(e.t) {
				into = cl
				break
			}
		}
		if into == nil {
			into = &patternCluster{seps: e.t.seps, toks: slices.Clone(e.t.toks)}
			byShape[sh] = append(byShape[sh], into)
			all = append(all, into)
		}
		into.n[0] += e.n[0]
		into.n[1] += e.n[1]
		into.keys = append(into.keys, k)
	}
	for _, cl := range all {
		cl.pattern = cl.render()
	}
	slices.SortFunc(all, func(a, b *patternCluster) int {
		return cmp.Or(cmp.Compare(b.n[0], a.n[0]), cmp.Compare(b.n[1], a.n[1]), strings.Compare(a.pattern, b.pattern))
	})
	return all
}

// --- diff ---------------------------------------------------------------------------

// diffSpec is the comparison window of diff and of logcompare
// (exec_logcompare.go): the range just before the query's (adjacent), or
// the query's range moved back by shift.
type diffSpec struct {
	adjacent bool
	shift    timeShift
}

// diffPeriod is diff's comparison window for its period: "" (the range
// just before the query's), previousDay, previousWeek or previousMonth.
// Our decisions: a day is 24 hours and a week 7 days; a month back is the
// same day and time of the previous calendar month in UTC (timeShift.back).
func diffPeriod(period string) diffSpec {
	switch period {
	case "previousDay":
		return diffSpec{shift: timeShift{millis: (24 * time.Hour).Milliseconds()}}
	case "previousWeek":
		return diffSpec{shift: timeShift{millis: (7 * 24 * time.Hour).Milliseconds()}}
	case "previousMonth":
		return diffSpec{shift: timeShift{months: 1}}
	}
	return diffSpec{adjacent: true}
}

// window returns the comparison window of [start, end] (milliseconds,
// inclusive). It always has the query window's length (the guide: "The
// comparison period is always of equal length to your original query
// period"): a calendar shift moves start back (March 31 → February 28 or
// 29) and end by the same amount.
func (d diffSpec) window(start, end int64) (int64, int64) {
	moved := end - start + 1
	if !d.adjacent {
		moved = start - d.shift.back(start)
	}
	return start - moved, end - moved
}

// prepareDiff runs, for a query ending its pattern with diff, the query's
// commands before pattern over the comparison window and hands the tally of
// their values to the pattern stage, so that both windows are clustered
// together and a pattern means the same in both. It returns the statistics
// of that scan: like AWS, which bills a comparison as one query over both
// ranges, we count both in the query's statistics (our decision).
func (e *Engine) prepareDiff(ctx context.Context, spec Spec, p *plan) (Stats, error) {
	for i := range p.rest {
		ps, ok := p.rest[i].rows.(*patternStage)
		if !ok || ps.diff == nil {
			continue
		}
		spec.Start, spec.End = ps.diff.window(spec.Start, spec.End)
		rows, st, err := e.scan(ctx, spec, p, nil)
		if err != nil {
			return Stats{}, fmt.Errorf("insights: diff comparison window: %w", err)
		}
		ps.base = tally{}
		ps.base.add(ps.src, applyRest(p.rest[:i], rows), 1)
		return st, nil
	}
	return Stats{}, nil
}

// add sums two scans' statistics; the log groups are the same.
func (s Stats) add(o Stats) Stats {
	s.RecordsMatched += o.RecordsMatched
	s.RecordsScanned += o.RecordsScanned
	s.BytesScanned += o.BytesScanned
	return s
}
