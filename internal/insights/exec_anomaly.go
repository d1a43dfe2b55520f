package insights

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// anomaly (CWL_QuerySyntax-Anomaly) follows pattern and "identifies five
// distinct types of anomalies" in its patterns: pattern frequency, new
// pattern, token variation, numerical token and HTTP error code anomalies;
// it "preserves all fields in the input data and adds anomaly detection
// results". AWS's detector is an undocumented machine-learning model; ours
// is a deterministic rule over the query's own window, so every result can
// be explained from the events:
//
// The window is cut into anomalyBuckets equal time buckets; the first half
// of them is the baseline, the second half the recent part. For each
// pattern, over its events in the window:
//
//   - NewPattern: no event in the baseline, some in the recent part.
//   - PatternFrequency: the recent count is at least freqFactor times the
//     baseline count or at most 1/freqFactor of it, the larger being at
//     least freqMinEvents.
//   - TokenVariation: a dynamic token that took few values in the baseline
//     (a category: at most maxCategories distinct values over at least
//     minBaseline events, each seen twice on average) takes a value in the
//     recent part that the baseline never had. Times and numbers are not
//     categories.
//   - NumericalToken: a token whose values are all numbers (a unit such as
//     ms may follow) has a recent value whose robust z-score against the
//     baseline (0.6745·|x − median| / MAD) exceeds maxRobustZ, with at
//     least minBaseline baseline values.
//   - HttpErrorCode: in a pattern of HTTP requests (it has a method word
//     such as GET, the word HTTP, or status), the token holding the status
//     code (the first three-digit number, 100-599, after the last such word)
//     shows 4xx or 5xx codes on a share of recent events at least
//     httpShareRise above the baseline's share.
//
// A window whose baseline half holds no event of any pattern has nothing to
// compare with: no pattern is anomalous.
//
// Fields added (named after the Anomaly structure of ListAnomalies, with
// the @ of generated fields), set on anomalous patterns only:
//
//	@anomalyType  the kinds found, in the order above, joined by ", "
//	@priority     HIGH, MEDIUM or LOW: the highest of the kinds' (below)
//	@description  one sentence per kind, joined by "; "
//	@firstSeen    the pattern's first and last event in the window
//	@lastSeen
//	@histogram    the pattern's events per bucket, a JSON object from the
//	              bucket's start (Unix milliseconds) to the count, as
//	              Anomaly.histogram maps times to counts
//
// Priorities (ours): a new pattern is HIGH when its severity is Error,
// MEDIUM for Warning, else LOW; a rise in frequency is HIGH for Error,
// else MEDIUM, and a fall LOW; token variation LOW; a numerical outlier
// MEDIUM; HTTP errors HIGH with a 5xx code, else MEDIUM.
//
// Our decisions where AWS is silent:
//   - Rows are kept, all of them: the command preserves its input, like
//     diff it annotates the patterns, and "filter ispresent(@anomalyType)"
//     keeps the anomalies alone. Anomalous rows come first, by priority,
//     each group keeping its input order, since surfacing them is the
//     command's purpose; a sort after anomaly reorders them.
//   - anomaly reads the patterns of the nearest pattern (or logcompare)
//     before it, with only filter, sort, limit, dedup, fields or display
//     between them. Without a pattern before it, anomaly clusters @message
//     itself ("pattern @message | anomaly": AWS calls pattern before it
//     typical, not required, and logcompare clusters @message likewise).
//     After stats there are no events to cluster: an error.
//   - A pattern's events are those of the query's window only (diff's
//     comparison window is not a baseline here).
type anomalyStage struct{}

// Thresholds. Each is a judgment call on small samples; the reason is
// beside it.
const (
	// anomalyBuckets: ten buckets give the histogram a readable resolution
	// and halves of five buckets each.
	anomalyBuckets = 10
	// freqFactor: a count tripling or falling to a third between two equal
	// halves is beyond the noise of counts of freqMinEvents or more (a
	// Poisson count of 5 exceeds 15 with probability under 0.1%).
	freqFactor    = 3
	freqMinEvents = 5
	// minBaseline: fewer baseline values say nothing stable about a token.
	minBaseline = 5
	// maxCategories: a token with more distinct baseline values behaves as
	// an identifier or free text, where a new value is normal.
	maxCategories = 5
	// maxRobustZ: Iglewicz and Hoaglin's cut-off for the modified z-score.
	maxRobustZ = 3.5
	// httpShareRise: ten points of the events moving to error codes is a
	// change a reader notices; smaller moves are common noise.
	httpShareRise = 0.1
	// maxListed: values quoted in a description.
	maxListed = 3
)

var anomalyCols = []string{"@anomalyType", "@priority", "@description", "@firstSeen", "@lastSeen", "@histogram"}

// anomalyWindow is the query's window, which the pattern stage that an
// anomaly command reads divides into buckets.
type anomalyWindow struct {
	start, end int64
}

// sample is one event of a pattern: its time and its tokens' text.
type sample struct {
	ts   int64
	toks []string
}

// patternEvidence is what the anomaly stage reads from a pattern row.
type patternEvidence struct {
	w       *anomalyWindow
	cl      *patternCluster
	samples []sample // the pattern's events in the window, by time
	// baseline counts the events of all patterns in the baseline half.
	baseline int
}

// compileAnomaly returns the stages anomaly adds: itself, after an implicit
// pattern @message when no pattern precedes it (implicit is then true).
func compileAnomaly(c *compiler, stages []stage, cmd *query.AnomalyCmd) (added []stage, implicit bool, err error) {
	w := &anomalyWindow{}
	if c.fenv != nil {
		w.start, w.end = c.fenv.Start.UnixMilli(), c.fenv.End.UnixMilli()
	}
	for i := len(stages) - 1; i >= 0; i-- {
		s := stages[i]
		if ps, ok := s.rows.(*patternStage); ok {
			ps.anomaly = w
			return []stage{{kind: stRows, rows: anomalyStage{}}}, false, nil
		}
		switch s.kind {
		case stFilter, stSort, stLimit, stDedup, stFields:
			continue
		case stStats:
			return nil, false, errAt(cmd.Pos, "anomaly finds anomalies in the patterns of log events and cannot follow stats")
		}
		for _, e := range stages[:i] {
			if _, ok := e.rows.(*patternStage); ok || e.kind == stStats {
				return nil, false, errAt(cmd.Pos, "anomaly must follow pattern with only filter, sort, limit, dedup, fields or display between them")
			}
		}
		break
	}
	ps, err := compilePattern(c, &query.PatternCmd{Pos: cmd.Pos, Expr: &query.FieldRef{Pos: cmd.Pos, Path: []query.PathElem{{Name: "@message"}}}})
	if err != nil {
		return nil, false, err
	}
	ps.rows.(*patternStage).anomaly = w
	return []stage{ps, {kind: stRows, rows: anomalyStage{}}}, true, nil
}

// bucket is the bucket of time ts.
func (w *anomalyWindow) bucket(ts int64) int {
	n := w.end - w.start + 1
	if n <= 0 {
		return 0
	}
	b := int((ts - w.start) * anomalyBuckets / n)
	return min(max(b, 0), anomalyBuckets-1)
}

func (w *anomalyWindow) recent(ts int64) bool { return w.bucket(ts) >= anomalyBuckets/2 }

// attach gives each pattern row (out[i] is clusters[i]) the events of its
// pattern among rows, which the pattern stage clustered.
func (w *anomalyWindow) attach(src evalFn, rows []*row, clusters []*patternCluster, out []*row) {
	byKey := map[string][]sample{}
	baseline := 0
	for _, r := range rows {
		if !r.hasEvent {
			continue
		}
		v := src(r, nil)
		if v.IsNull() || v.String() == "" {
			continue
		}
		var raw []string
		t := tokenizeRaw(v.String(), &raw)
		k := t.key()
		byKey[k] = append(byKey[k], sample{ts: r.ts, toks: raw})
		if !w.recent(r.ts) {
			baseline++
		}
	}
	for i, cl := range clusters {
		ev := &patternEvidence{w: w, cl: cl, baseline: baseline}
		for _, k := range cl.keys {
			ev.samples = append(ev.samples, byKey[k]...)
		}
		// By time, then by text: the order rows arrive in must not matter.
		slices.SortFunc(ev.samples, func(a, b sample) int {
			return cmp.Or(cmp.Compare(a.ts, b.ts), slices.Compare(a.toks, b.toks))
		})
		out[i].evidence = ev
	}
}

type priority uint8

const (
	prNone priority = iota
	prLow
	prMedium
	prHigh
)

var priorityNames = [...]string{prLow: "LOW", prMedium: "MEDIUM", prHigh: "HIGH"}

// finding is one kind of anomaly found in a pattern.
type finding struct {
	kind string
	prio priority
	desc string
}

func (anomalyStage) apply(rows []*row) []*row {
	type scored struct {
		r    *row
		prio priority
	}
	out := make([]scored, len(rows))
	for i, r := range rows {
		out[i] = scored{r: r}
		if r.evidence == nil {
			continue
		}
		fs := r.evidence.detect()
		if len(fs) == 0 {
			continue
		}
		c := r.clone()
		var kinds, descs []string
		var prio priority
		for _, f := range fs {
			kinds = append(kinds, f.kind)
			descs = append(descs, f.desc)
			prio = max(prio, f.prio)
		}
		ev := r.evidence
		c.set("@anomalyType", funcs.Str(strings.Join(kinds, ", ")))
		c.set("@priority", funcs.Str(priorityNames[prio]))
		c.set("@description", funcs.Str(strings.Join(descs, "; ")))
		c.set("@firstSeen", funcs.Timestamp(ev.samples[0].ts))
		c.set("@lastSeen", funcs.Timestamp(ev.samples[len(ev.samples)-1].ts))
		c.set("@histogram", funcs.Str(ev.histogram()))
		out[i] = scored{r: c, prio: prio}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return cmp.Compare(b.prio, a.prio) })
	res := make([]*row, len(out))
	for i, s := range out {
		res[i] = s.r
	}
	return res
}

func (ev *patternEvidence) histogram() string {
	var counts [anomalyBuckets]int
	for _, s := range ev.samples {
		counts[ev.w.bucket(s.ts)]++
	}
	n := ev.w.end - ev.w.start + 1
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range counts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%d":%d`, ev.w.start+int64(i)*n/anomalyBuckets, c)
	}
	b.WriteByte('}')
	return b.String()
}

// detect applies the five rules, in the order of the documentation.
func (ev *patternEvidence) detect() []finding {
	if ev.baseline == 0 || len(ev.samples) == 0 {
		return nil
	}
	var early, late []sample
	for _, s := range ev.samples {
		if ev.w.recent(s.ts) {
			late = append(late, s)
		} else {
			early = append(early, s)
		}
	}
	sev := ev.cl.severity()
	var fs []finding
	if f, ok := frequencyFinding(len(early), len(late), sev); ok {
		fs = append(fs, f)
	}
	if len(early) == 0 {
		p := prLow
		switch sev {
		case "Error":
			p = prHigh
		case "Warning":
			p = prMedium
		}
		fs = append(fs, finding{"NewPattern", p, fmt.Sprintf("new pattern: %s in the second half of the window, none in the first", events(len(late)))})
	}
	status := ev.statusToken()
	if f, ok := ev.variationFinding(early, late); ok {
		fs = append(fs, f)
	}
	if f, ok := ev.numericFinding(early, late, status); ok {
		fs = append(fs, f)
	}
	if f, ok := ev.httpFinding(early, late, status); ok {
		fs = append(fs, f)
	}
	return fs
}

func frequencyFinding(early, late int, sev string) (finding, bool) {
	if early == 0 || max(early, late) < freqMinEvents {
		return finding{}, false
	}
	switch {
	case late >= freqFactor*early:
		p := prMedium
		if sev == "Error" {
			p = prHigh
		}
		return finding{"PatternFrequency", p, fmt.Sprintf("frequency rose from %s in the first half of the window to %d in the second", events(early), late)}, true
	case early >= freqFactor*late:
		return finding{"PatternFrequency", prLow, fmt.Sprintf("frequency fell from %s in the first half of the window to %d in the second", events(early), late)}, true
	}
	return finding{}, false
}

// label is how @pattern names the token at position i: <Name-n>.
func (ev *patternEvidence) label(i int) string {
	n := 0
	for j, tk := range ev.cl.toks[:i+1] {
		if tk.kind != tkWord {
			n++
		}
		if j == i {
			return fmt.Sprintf("<%s-%d>", tokName[tk.kind], n)
		}
	}
	return ""
}

func (ev *patternEvidence) variationFinding(early, late []sample) (finding, bool) {
	if len(early) < minBaseline {
		return finding{}, false
	}
	var parts []string
	for i, tk := range ev.cl.toks {
		if tk.kind == tkWord || tk.kind == tkTime || tk.kind == tkNumber {
			continue
		}
		seen := map[string]bool{}
		var known []string
		for _, s := range early {
			if !seen[s.toks[i]] {
				seen[s.toks[i]] = true
				known = append(known, s.toks[i])
			}
		}
		if len(known) > maxCategories || 2*len(known) > len(early) {
			continue
		}
		var fresh []string
		for _, s := range late {
			if !seen[s.toks[i]] {
				seen[s.toks[i]] = true
				fresh = append(fresh, s.toks[i])
			}
		}
		if len(fresh) > 0 {
			slices.Sort(known)
			slices.Sort(fresh)
			parts = append(parts, fmt.Sprintf("token %s took new values %s (before: %s)", ev.label(i), listed(fresh), listed(known)))
		}
	}
	if len(parts) == 0 {
		return finding{}, false
	}
	return finding{"TokenVariation", prLow, strings.Join(parts, ", ")}, true
}

func events(n int) string {
	if n == 1 {
		return "1 event"
	}
	return strconv.Itoa(n) + " events"
}

func listed(vs []string) string {
	if len(vs) > maxListed {
		return strings.Join(vs[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(vs)-maxListed)
	}
	return strings.Join(vs, ", ")
}

// numberOf is the number a numeric token starts with (31 of 31ms).
func numberOf(s string) (float64, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || (i == 0 && (s[i] == '-' || s[i] == '+'))) {
		i++
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	return v, err == nil
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (ev *patternEvidence) numericFinding(early, late []sample, status int) (finding, bool) {
	if len(early) < minBaseline || len(late) == 0 {
		return finding{}, false
	}
	var parts []string
	for i, tk := range ev.cl.toks {
		if tk.kind != tkNumber || i == status {
			continue
		}
		base := make([]float64, 0, len(early))
		for _, s := range early {
			if v, ok := numberOf(s.toks[i]); ok {
				base = append(base, v)
			}
		}
		if len(base) < minBaseline {
			continue
		}
		m := median(base)
		dev := make([]float64, len(base))
		for j, v := range base {
			dev[j] = math.Abs(v - m)
		}
		// The MAD scaled to a standard deviation; when over half the values
		// equal the median it is 0, and the mean absolute deviation scaled
		// likewise (Iglewicz and Hoaglin) stands in; when every value is the
		// same, a tenth of the value (or 1 for 0) does, so that a constant
		// that moves by more than 35% stands out.
		scale := median(dev) / 0.6745
		if scale == 0 {
			sum := 0.0
			for _, d := range dev {
				sum += d
			}
			scale = sum / float64(len(dev)) * 1.2533
		}
		if scale == 0 {
			scale = math.Max(math.Abs(m)/10, 1)
		}
		worst, worstZ := "", 0.0
		for _, s := range late {
			v, ok := numberOf(s.toks[i])
			if !ok {
				continue
			}
			if z := math.Abs(v-m) / scale; z > worstZ {
				worst, worstZ = s.toks[i], z
			}
		}
		if worstZ > maxRobustZ {
			parts = append(parts, fmt.Sprintf("token %s has value %s far from the first half's median %s (robust z-score %.1f)",
				ev.label(i), worst, strconv.FormatFloat(m, 'f', -1, 64), worstZ))
		}
	}
	if len(parts) == 0 {
		return finding{}, false
	}
	return finding{"NumericalToken", prMedium, strings.Join(parts, ", ")}, true
}

// httpWords mark a pattern of HTTP requests: the methods (not TRACE, a log
// level too), the protocol name in HTTP/1.1 and the status field names.
var httpWords = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "OPTIONS": true,
	"HTTP": true, "status": true, "statusCode": true, "status_code": true, "httpStatus": true,
}

// statusToken is the position of the HTTP status code in the pattern: the
// first numeric token after the last HTTP word whose every value is a
// three-digit code from 100 to 599; -1 when there is none.
func (ev *patternEvidence) statusToken() int {
	anchor := -1
	for i, tk := range ev.cl.toks {
		if tk.kind == tkWord && httpWords[tk.text] {
			anchor = i
		}
	}
	if anchor < 0 {
		return -1
	}
next:
	for i := anchor + 1; i < len(ev.cl.toks); i++ {
		if ev.cl.toks[i].kind != tkNumber {
			continue
		}
		for _, s := range ev.samples {
			if code(s.toks[i]) == 0 {
				continue next
			}
		}
		return i
	}
	return -1
}

// code is the HTTP status code s spells, or 0.
func code(s string) int {
	if len(s) != 3 {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}

func (ev *patternEvidence) httpFinding(early, late []sample, status int) (finding, bool) {
	if status < 0 || len(late) == 0 {
		return finding{}, false
	}
	errorCodes := func(ss []sample) (n int, codes map[int]int) {
		codes = map[int]int{}
		for _, s := range ss {
			if c := code(s.toks[status]); c >= 400 {
				n++
				codes[c]++
			}
		}
		return n, codes
	}
	lateErr, codes := errorCodes(late)
	earlyErr, _ := errorCodes(early)
	earlyShare := 0.0
	if len(early) > 0 {
		earlyShare = float64(earlyErr) / float64(len(early))
	}
	if lateErr == 0 || float64(lateErr)/float64(len(late))-earlyShare < httpShareRise {
		return finding{}, false
	}
	p := prMedium
	var list []string
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		if c >= 500 {
			p = prHigh
		}
		list = append(list, fmt.Sprintf("%d x%d", c, codes[c]))
	}
	return finding{"HttpErrorCode", p, fmt.Sprintf("HTTP error codes (%s) on %d of %d events in the second half of the window, against %d of %d in the first",
		strings.Join(list, ", "), lateErr, len(late), earlyErr, len(early))}, true
}
