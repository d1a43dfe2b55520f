package logs

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// Lookup tables (CreateLookupTable and CWL_QuerySyntax-Lookup): "up to 100
// lookup tables per account per AWS Region. CSV files can be up to 10 MB."
// The API reference's TableBody is at most 10,485,760 characters, so MB
// means MiB here.
const (
	maxLookupTables    = 100
	maxLookupTableBody = 10 << 20
)

// lookupTableDoc is a lookup table as persisted: the CSV as given, which
// GetLookupTable returns whole.
type lookupTableDoc struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Body        string            `json:"body"`
	KmsKeyID    string            `json:"kmsKeyId,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Created     int64             `json:"created"`
	Updated     int64             `json:"updated"`
}

// lookupTable is a lookup table in memory: its document and the parsed
// rows the lookup command reads. Both are replaced whole on update, never
// changed, so a running query keeps the rows it started with.
type lookupTable struct {
	doc  lookupTableDoc
	data *insights.LookupTable
}

func (c *catalog) lookupTableMap(p partition) map[string]*lookupTable {
	m := c.lookupTables[p]
	if m == nil {
		m = map[string]*lookupTable{}
		c.lookupTables[p] = m
	}
	return m
}

func (c *catalog) loadLookupTable(p partition, doc string) error {
	var d lookupTableDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return err
	}
	data, err := parseLookupCSV(d.Body)
	if err != nil {
		return err
	}
	c.lookupTableMap(p)[d.Name] = &lookupTable{doc: d, data: data}
	return nil
}

func lookupTableArn(p partition, name string) string {
	return "arn:aws:logs:" + p.Region + ":" + p.Account + ":lookup-table:" + name
}

// lookupTableName returns the name in a lookup table ARN
// (arn:aws:logs:region:account:lookup-table:name, the IAM resource type).
// Another account's or region's table is one this caller cannot see.
func lookupTableName(p partition, arn string) (string, error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:logs:"+p.Region+":"+p.Account+":lookup-table:")
	switch {
	case ok && rest != "" && !strings.Contains(rest, ":"):
		return rest, nil
	case strings.HasPrefix(arn, "arn:") && strings.Count(arn, ":") == 6 && strings.Contains(arn, ":lookup-table:"):
		return "", errLookupTableNotFound()
	}
	return "", invalidParameter("Invalid lookup table ARN: %s", arn)
}

func errLookupTableNotFound() error {
	return notFound("The specified lookup table does not exist.")
}

// parseLookupCSV checks a table body the way CreateLookupTable documents
// it ("must include a header row with column names, use UTF-8 encoding,
// and not exceed 10 MB") and parses it. Our decisions where the reference
// is silent: RFC 4180 CSV; every row has as many fields as the header; a
// column name is neither empty nor repeated (the lookup command names
// columns); a UTF-8 byte order mark is dropped; a header alone is a table
// with no rows.
func parseLookupCSV(body string) (*insights.LookupTable, error) {
	if len(body) > maxLookupTableBody {
		return nil, invalidParameter("The table body is %d bytes; a lookup table can be at most 10 MB (%d bytes).", len(body), maxLookupTableBody)
	}
	if !utf8.ValidString(body) {
		return nil, invalidParameter("The table body must be UTF-8 encoded.")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, invalidParameter("The table body must start with a header row of column names.")
	}
	if err != nil {
		return nil, invalidCSV(err)
	}
	for i, col := range header {
		switch {
		case col == "":
			return nil, invalidParameter("Column %d of the header row has no name.", i+1)
		case slices.Contains(header[:i], col):
			return nil, invalidParameter("The header row names column %q twice.", col)
		}
	}
	t := &insights.LookupTable{Columns: header}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, invalidCSV(err)
		}
		t.Rows = append(t.Rows, rec)
	}
}

func invalidCSV(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return invalidParameter("The table body is not valid CSV: line %d: %v.", pe.Line, pe.Err)
	}
	return invalidParameter("The table body is not valid CSV: %v.", err)
}

func (s *Service) CreateLookupTable(ctx context.Context, in *logsapi.CreateLookupTableRequest) (*logsapi.CreateLookupTableResponse, error) {
	p := partitionOf(ctx)
	now := nowMillis(ctx)
	d := lookupTableDoc{
		Name:        shape.Value(in.LookupTableName),
		Description: shape.Value(in.Description),
		Body:        shape.Value(in.TableBody),
		KmsKeyID:    shape.Value(in.KmsKeyId),
		Tags:        maps.Clone(in.Tags),
		Created:     now,
		Updated:     now,
	}
	data, err := parseLookupCSV(d.Body)
	if err != nil {
		return nil, err
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	tables := s.cat.lookupTableMap(p)
	switch {
	case tables[d.Name] != nil:
		return nil, alreadyExists("A lookup table named " + d.Name + " already exists.")
	case len(tables) >= maxLookupTables:
		return nil, limitExceeded(fmt.Sprintf("You have reached the maximum number of lookup tables (%d).", maxLookupTables))
	}
	if err := s.cat.put(ctx, p, kindLookupTable, "", d.Name, d); err != nil {
		return nil, err
	}
	tables[d.Name] = &lookupTable{doc: d, data: data}
	return &logsapi.CreateLookupTableResponse{LookupTableArn: shape.Ptr(lookupTableArn(p, d.Name)), CreatedAt: shape.Ptr(now)}, nil
}

func (s *Service) GetLookupTable(ctx context.Context, in *logsapi.GetLookupTableRequest) (*logsapi.GetLookupTableResponse, error) {
	p := partitionOf(ctx)
	name, err := lookupTableName(p, shape.Value(in.LookupTableArn))
	if err != nil {
		return nil, err
	}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	t := s.cat.lookupTables[p][name]
	if t == nil {
		return nil, errLookupTableNotFound()
	}
	d := &t.doc
	return &logsapi.GetLookupTableResponse{
		LookupTableArn:  shape.Ptr(lookupTableArn(p, d.Name)),
		LookupTableName: shape.Ptr(d.Name),
		Description:     optional(d.Description),
		TableBody:       shape.Ptr(d.Body),
		SizeBytes:       shape.Ptr(int64(len(d.Body))),
		LastUpdatedTime: shape.Ptr(d.Updated),
		KmsKeyId:        optional(d.KmsKeyID),
	}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// DescribeLookupTables lists tables by name ("sorted by table name in
// ascending order"), at most maxResults (default 50, at most 100) a page;
// the token is the last name returned.
func (s *Service) DescribeLookupTables(ctx context.Context, in *logsapi.DescribeLookupTablesRequest) (*logsapi.DescribeLookupTablesResponse, error) {
	p := partitionOf(ctx)
	limit := limitOf(in.MaxResults, 50)
	if limit < 1 {
		return nil, invalidParameter("maxResults must be between 1 and 100.")
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	prefix := shape.Value(in.LookupTableNamePrefix)
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	var names []string
	for name := range s.cat.lookupTables[p] {
		if strings.HasPrefix(name, prefix) && name > after {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := &logsapi.DescribeLookupTablesResponse{LookupTables: []logsapi.LookupTable{}}
	for i, name := range names {
		if i == limit {
			out.NextToken = encodeNameToken(names[i-1])
			break
		}
		t := s.cat.lookupTables[p][name]
		out.LookupTables = append(out.LookupTables, logsapi.LookupTable{
			LookupTableArn:  shape.Ptr(lookupTableArn(p, name)),
			LookupTableName: shape.Ptr(name),
			Description:     optional(t.doc.Description),
			TableFields:     slices.Clone(t.data.Columns),
			RecordsCount:    shape.Ptr(int64(len(t.data.Rows))),
			SizeBytes:       shape.Ptr(int64(len(t.doc.Body))),
			LastUpdatedTime: shape.Ptr(t.doc.Updated),
			KmsKeyId:        optional(t.doc.KmsKeyID),
		})
	}
	return out, nil
}

// UpdateLookupTable replaces the table's content ("a full replacement
// operation"). A description or kmsKeyId left out keeps its value (our
// decision); an empty kmsKeyId removes the key, as documented.
func (s *Service) UpdateLookupTable(ctx context.Context, in *logsapi.UpdateLookupTableRequest) (*logsapi.UpdateLookupTableResponse, error) {
	p := partitionOf(ctx)
	name, err := lookupTableName(p, shape.Value(in.LookupTableArn))
	if err != nil {
		return nil, err
	}
	body := shape.Value(in.TableBody)
	data, err := parseLookupCSV(body)
	if err != nil {
		return nil, err
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	t := s.cat.lookupTables[p][name]
	if t == nil {
		return nil, errLookupTableNotFound()
	}
	d := t.doc
	d.Body, d.Updated = body, nowMillis(ctx)
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.KmsKeyId != nil {
		d.KmsKeyID = *in.KmsKeyId
	}
	if err := s.cat.put(ctx, p, kindLookupTable, "", name, d); err != nil {
		return nil, err
	}
	s.cat.lookupTables[p][name] = &lookupTable{doc: d, data: data}
	return &logsapi.UpdateLookupTableResponse{LookupTableArn: shape.Ptr(lookupTableArn(p, name)), LastUpdatedTime: shape.Ptr(d.Updated)}, nil
}

func (s *Service) DeleteLookupTable(ctx context.Context, in *logsapi.DeleteLookupTableRequest) error {
	p := partitionOf(ctx)
	name, err := lookupTableName(p, shape.Value(in.LookupTableArn))
	if err != nil {
		return err
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	if s.cat.lookupTables[p][name] == nil {
		return errLookupTableNotFound()
	}
	if err := s.cat.delete(ctx, p, kindLookupTable, "", name); err != nil {
		return err
	}
	delete(s.cat.lookupTables[p], name)
	return nil
}

// lookupSnapshot is the tables a query's lookup commands read, fixed when
// it starts: an update or delete while it runs does not change its result.
type lookupSnapshot map[string]*insights.LookupTable

func (l lookupSnapshot) LookupTable(name string) (*insights.LookupTable, bool) {
	t, ok := l[name]
	return t, ok
}

// queryLookups resolves the lookup commands of q. "Queries that reference
// a deleted table will return an error" (DeleteLookupTable): StartQuery
// answers ResourceNotFoundException, as for a missing log group, and
// MalformedQueryException for a column the table does not have.
func (s *Service) queryLookups(p partition, q *query.Query) (lookupSnapshot, error) {
	snap := lookupSnapshot{}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	for _, cmd := range lookupCmds(q, nil) {
		t := s.cat.lookupTables[p][cmd.Table]
		if t == nil {
			return nil, notFound("Lookup table '" + cmd.Table + "' does not exist.")
		}
		cols := make([]string, 0, len(cmd.Keys)+len(cmd.Outputs))
		for _, k := range cmd.Keys {
			cols = append(cols, k.Column)
		}
		for _, col := range append(cols, cmd.Outputs...) {
			if !slices.Contains(t.data.Columns, col) {
				msg := fmt.Sprintf("Lookup table %s has no column %s.", cmd.Table, col)
				return nil, &logsapi.MalformedQueryException{Message: shape.Ptr(msg), QueryCompileError: &logsapi.QueryCompileError{
					Message:  shape.Ptr(msg),
					Location: &logsapi.QueryCompileErrorLocation{StartCharOffset: shape.Ptr(int32(cmd.Pos)), EndCharOffset: shape.Ptr(int32(cmd.Pos))},
				}}
			}
		}
		snap[cmd.Table] = t.data
	}
	return snap, nil
}

// lookupCmds appends the lookup commands of q and of its join subqueries.
func lookupCmds(q *query.Query, out []*query.LookupCmd) []*query.LookupCmd {
	for _, c := range q.Commands {
		switch c := c.(type) {
		case *query.LookupCmd:
			out = append(out, c)
		case *query.JoinCmd:
			out = lookupCmds(c.Sub, out)
		}
	}
	return out
}
