package logs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// Queries is what the Logs Insights handlers need of the query manager.
type Queries interface {
	Start(spec insights.Spec) (string, error)
	Get(p partition, id string) (insights.Info, bool)
	Stop(p partition, id string) (stopped, ok bool)
	List(p partition, status insights.Status, group string) []insights.Info
}

// Fields lists the fields of a log group's recent events
// (GetLogGroupFields).
type Fields interface {
	LogGroupFields(ctx context.Context, p partition, group string, start, end int64) ([]insights.FieldShare, error)
}

// GetLogGroupFields samples the group's events of the 15 minutes before
// now, or of the 8 minutes either side of time (API reference), and lists
// their fields with the share of events having each.
func (s *Service) GetLogGroupFields(ctx context.Context, in *logsapi.GetLogGroupFieldsRequest) (*logsapi.GetLogGroupFieldsResponse, error) {
	if s.fields == nil {
		return nil, shape.NotImplemented("logs", "GetLogGroupFields")
	}
	p := partitionOf(ctx)
	name, err := resolveGroup(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if s.cat.group(p, name) == nil {
		return nil, errGroupNotFound()
	}
	end := nowMillis(ctx)
	start := end - (15 * time.Minute).Milliseconds()
	if in.Time != nil {
		center := *in.Time * 1000
		start, end = center-(8*time.Minute).Milliseconds(), center+(8*time.Minute).Milliseconds()
	}
	shares, err := s.fields.LogGroupFields(ctx, p, name, start, end)
	if err != nil {
		return nil, err
	}
	out := &logsapi.GetLogGroupFieldsResponse{LogGroupFields: make([]logsapi.LogGroupField, len(shares))}
	for i, f := range shares {
		out.LogGroupFields[i] = logsapi.LogGroupField{Name: shape.Ptr(f.Name), Percent: shape.Ptr(f.Percent)}
	}
	return out, nil
}

// StartQuery's limits (API reference): 50 log groups, 10,000 result rows.
const (
	maxQueryGroups = 50
	maxQueryRows   = 10_000
)

// malformedQuery is StartQuery's answer to a query that does not parse or
// that the executor cannot run, with the place of the problem.
func malformedQuery(err error) error {
	msg, pos := err.Error(), -1
	var pe *query.ParseError
	var ue *insights.UnsupportedError
	switch {
	case errors.As(err, &pe):
		msg, pos = pe.Msg, pe.Pos
	case errors.As(err, &ue):
		msg, pos = ue.Msg, ue.Pos
	}
	out := &logsapi.MalformedQueryException{Message: shape.Ptr(err.Error())}
	if pos >= 0 {
		out.QueryCompileError = &logsapi.QueryCompileError{
			Message:  shape.Ptr(msg),
			Location: &logsapi.QueryCompileErrorLocation{StartCharOffset: shape.Ptr(int32(pos)), EndCharOffset: shape.Ptr(int32(pos))},
		}
	}
	return out
}

func (s *Service) StartQuery(ctx context.Context, in *logsapi.StartQueryRequest) (*logsapi.StartQueryResponse, error) {
	if s.queries == nil {
		return nil, shape.NotImplemented("logs", "StartQuery")
	}
	p := partitionOf(ctx)
	if lang := shape.Value(in.QueryLanguage); lang != "" && lang != logsapi.QueryLanguageCwli {
		return nil, invalidParameter("Query language %s is not supported by Vigil: only the Logs Insights query language (CWLI) is.", lang)
	}
	q, err := query.Parse(shape.Value(in.QueryString))
	if err != nil {
		return nil, malformedQuery(err)
	}
	if err := s.checkQuery(q); err != nil {
		return nil, malformedQuery(err)
	}
	start, end := shape.Value(in.StartTime), shape.Value(in.EndTime)
	if end < start {
		return nil, invalidParameter("endTime (%d) must not be before startTime (%d).", end, start)
	}
	limit := limitOf(in.Limit, maxQueryRows)
	if limit < 1 || limit > maxQueryRows {
		return nil, invalidParameter("limit must be between 1 and %d.", maxQueryRows)
	}
	// Times are epoch seconds and the range is inclusive: the end second
	// is included whole. SOURCE start= and end= replace them.
	winStart, winEnd, err := insights.SourceWindow(q.Source, nowMillis(ctx), start*1000, end*1000+999)
	if err != nil {
		return nil, malformedQuery(err)
	}
	groups, err := s.queryGroups(ctx, in, q)
	if err != nil {
		return nil, err
	}
	if err := s.checkClasses(p, groups, q); err != nil {
		return nil, err
	}
	lookups, err := s.queryLookups(p, q)
	if err != nil {
		return nil, err
	}
	joins, err := s.joinGroups(p, q)
	if err != nil {
		return nil, err
	}
	id, err := s.queries.Start(insights.Spec{
		Partition:   p,
		QueryString: shape.Value(in.QueryString),
		Query:       q,
		Language:    logsapi.QueryLanguageCwli,
		Groups:      groups,
		// startTime and endTime, or SOURCE's start= and end= (above).
		Start:      winStart,
		End:        winEnd,
		Limit:      limit,
		Lookups:    lookups,
		Indexes:    s.queryIndexes(p, groups, nowMillis(ctx)),
		JoinGroups: joins,
	})
	if errors.Is(err, insights.ErrTooMany) {
		return nil, limitExceeded("You have reached the maximum number of concurrent queries (30).")
	}
	if err != nil {
		return nil, err
	}
	return &logsapi.StartQueryResponse{QueryId: shape.Ptr(id)}, nil
}

// notInInfrequentAccess are the commands log groups of the Infrequent
// Access class do not support (CWL_AnalyzeLogData_Classes: "all query
// commands except pattern, diff, filterIndex, and unmask"). logcompare and
// anomaly, which the page predates, cluster patterns as pattern does: our
// decision is to refuse them too.
var notInInfrequentAccess = []string{"pattern", "diff", "filterIndex", "unmask", "logcompare", "anomaly"}

// checkClasses refuses a query its log groups' classes do not support: the
// Delivery class offers no Logs Insights queries, and Infrequent Access not
// the commands above. The guide gives no error for either; an
// InvalidParameterException naming the group and the command is ours.
func (s *Service) checkClasses(p partition, groups []string, q *query.Query) error {
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	for _, name := range groups {
		g := s.cat.groups[p][name]
		if g == nil {
			continue
		}
		switch g.doc.Class {
		case logsapi.LogGroupClassDelivery:
			return invalidParameter("Log group '%s' is in the Delivery log class, which does not support Logs Insights queries.", name)
		case logsapi.LogGroupClassInfrequentAccess:
			for _, c := range q.Commands {
				if slices.Contains(notInInfrequentAccess, c.Name()) {
					return invalidParameter("Log group '%s' is in the Infrequent Access log class, which does not support the %s command.", name, c.Name())
				}
			}
		}
	}
	return nil
}

// queryGroups resolves the log groups of a query: exactly one of the three
// parameters, or a SOURCE command, and every group must exist.
func (s *Service) queryGroups(ctx context.Context, in *logsapi.StartQueryRequest, q *query.Query) ([]string, error) {
	p := partitionOf(ctx)
	given := 0
	var names []string
	if in.LogGroupName != nil {
		given++
		names = append(names, *in.LogGroupName)
	}
	if in.LogGroupNames != nil {
		given++
		names = append(names, in.LogGroupNames...)
	}
	if in.LogGroupIdentifiers != nil {
		given++
		for _, id := range in.LogGroupIdentifiers {
			name, err := groupFromIdentifier(p, strings.TrimSuffix(id, ":*"))
			if err != nil {
				return nil, err
			}
			names = append(names, name)
		}
	}
	switch {
	case q.Source != nil && given > 0:
		return nil, invalidParameter("A query with a SOURCE command cannot also name log groups in logGroupName, logGroupNames or logGroupIdentifiers.")
	case q.Source != nil:
		return s.sourceGroups(p, q.Source)
	case given != 1:
		return nil, invalidParameter("Specify exactly one of logGroupName, logGroupNames and logGroupIdentifiers, or a SOURCE command in the query.")
	case len(names) > maxQueryGroups:
		return nil, invalidParameter("A query can include at most %d log groups.", maxQueryGroups)
	}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	for _, n := range names {
		if s.cat.groups[p][n] == nil {
			return nil, notFound("Log group '" + n + "' does not exist.")
		}
	}
	return names, nil
}

// sourceGroups selects the groups a SOURCE command names: by name, or by
// logGroups(namePrefix, class, accountIdentifiers).
func (s *Service) sourceGroups(p partition, src *query.Source) ([]string, error) {
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	var names []string
	for _, g := range src.Groups {
		if s.cat.groups[p][g.Name] == nil {
			return nil, notFound("Log group '" + g.Name + "' does not exist.")
		}
		names = append(names, g.Name)
	}
	if sel := src.LogGroups; sel != nil {
		for _, a := range sel.AccountIdentifiers {
			if a != p.Account {
				return nil, invalidParameter("Account %s is not linked to monitoring account %s: cross-account observability is not supported by Vigil.", a, p.Account)
			}
		}
		for _, g := range s.cat.sortedGroups(p) {
			d := &g.doc
			if (sel.NamePrefixes == nil || hasPrefixAny(d.Name, sel.NamePrefixes)) && (sel.Classes == nil || slices.Contains(sel.Classes, d.Class)) {
				names = append(names, d.Name)
			}
		}
	}
	if len(names) > maxQueryGroups {
		return nil, invalidParameter("The SOURCE command selects %d log groups; a query can include at most %d.", len(names), maxQueryGroups)
	}
	return names, nil
}

func (s *Service) GetQueryResults(ctx context.Context, in *logsapi.GetQueryResultsRequest) (*logsapi.GetQueryResultsResponse, error) {
	if s.queries == nil {
		return nil, shape.NotImplemented("logs", "GetQueryResults")
	}
	q, ok := s.queries.Get(partitionOf(ctx), shape.Value(in.QueryId))
	if !ok {
		return nil, notFound("The specified query does not exist.")
	}
	out := &logsapi.GetQueryResultsResponse{
		QueryLanguage: shape.Ptr(q.Spec.Language),
		Status:        shape.Ptr(string(q.Status)),
		Results:       make([][]logsapi.ResultField, len(q.Rows)),
		Statistics: &logsapi.QueryStatistics{
			RecordsMatched:   shape.Ptr(q.Stats.RecordsMatched),
			RecordsScanned:   shape.Ptr(q.Stats.RecordsScanned),
			BytesScanned:     shape.Ptr(q.Stats.BytesScanned),
			LogGroupsScanned: shape.Ptr(q.Stats.LogGroupsScanned),
		},
	}
	for i, row := range q.Rows {
		fs := make([]logsapi.ResultField, len(row))
		for j, f := range row {
			fs[j] = logsapi.ResultField{Field: shape.Ptr(f.Name), Value: shape.Ptr(f.Value)}
		}
		out.Results[i] = fs
	}
	return out, nil
}

func (s *Service) StopQuery(ctx context.Context, in *logsapi.StopQueryRequest) (*logsapi.StopQueryResponse, error) {
	if s.queries == nil {
		return nil, shape.NotImplemented("logs", "StopQuery")
	}
	stopped, ok := s.queries.Stop(partitionOf(ctx), shape.Value(in.QueryId))
	if !ok {
		return nil, notFound("The specified query does not exist.")
	}
	return &logsapi.StopQueryResponse{Success: shape.Ptr(stopped)}, nil
}

// DescribeQueries lists the queries of the last 7 days, newest first; the
// token is the last returned query id.
func (s *Service) DescribeQueries(ctx context.Context, in *logsapi.DescribeQueriesRequest) (*logsapi.DescribeQueriesResponse, error) {
	if s.queries == nil {
		return nil, shape.NotImplemented("logs", "DescribeQueries")
	}
	p := partitionOf(ctx)
	if lang := shape.Value(in.QueryLanguage); lang != "" && lang != logsapi.QueryLanguageCwli {
		return &logsapi.DescribeQueriesResponse{Queries: []logsapi.QueryInfo{}}, nil
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := limitOf(in.MaxResults, 1000)
	qs := s.queries.List(p, insights.Status(shape.Value(in.Status)), shape.Value(in.LogGroupName))
	if after != "" {
		i := slices.IndexFunc(qs, func(q insights.Info) bool { return q.ID == after })
		if i < 0 {
			return nil, invalidParameter("The specified nextToken is invalid.")
		}
		qs = qs[i+1:]
	}
	out := &logsapi.DescribeQueriesResponse{Queries: []logsapi.QueryInfo{}}
	for i, q := range qs {
		if i == limit {
			out.NextToken = encodeNameToken(qs[i-1].ID)
			break
		}
		info := logsapi.QueryInfo{
			QueryLanguage: shape.Ptr(q.Spec.Language),
			QueryId:       shape.Ptr(q.ID),
			QueryString:   shape.Ptr(q.Spec.QueryString),
			Status:        shape.Ptr(string(q.Status)),
			CreateTime:    shape.Ptr(q.Created.UnixMilli()),
			BytesScanned:  shape.Ptr(q.Stats.BytesScanned),
		}
		if len(q.Spec.Groups) > 0 {
			info.LogGroupName = shape.Ptr(q.Spec.Groups[0])
		}
		out.Queries = append(out.Queries, info)
	}
	return out, nil
}
