package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
)

// Field index policies (PutIndexPolicy; "Field index syntax and quotas"):
// at most 20 fields a policy, each name at most 100 characters. The index
// of events ingested before a field left the policy "will still be used
// for as many as 30 days" (DeleteIndexPolicy): Vigil keeps it for 30 days.
const (
	maxIndexFields    = 20
	maxIndexFieldName = 100
	indexRetention    = 30 * 24 * time.Hour
)

// defaultIndexFields are indexed in every log group of the Standard class
// without a policy (PutIndexPolicy in the API reference Vigil implements).
var defaultIndexFields = []string{"@logStream", "@aws.region", "@aws.account", "@source.log", "traceId"}

// IndexScanner finds the events of a log group that hold indexed fields
// (DescribeFieldIndexes); *insights.Engine is one.
type IndexScanner interface {
	IndexedFieldSpans(ctx context.Context, p partition, group string, fields []insights.IndexedField) ([]insights.FieldSpan, error)
}

// indexDoc is a log group's field indexes as persisted: its policy (the
// document as given; empty once deleted) and, for every field the policy
// holds or held within indexRetention, when it was indexed.
type indexDoc struct {
	Policy  string      `json:"policy,omitempty"`
	Updated int64       `json:"updated"`
	Fields  []indexSpan `json:"fields"`
}

// indexSpan: events ingested in [From, Until) were indexed on Name; Until
// is 0 while the policy holds the field.
type indexSpan struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	From  int64  `json:"from"`
	Until int64  `json:"until,omitempty"`
}

func loadIndexDoc(g *group, doc string) error {
	var d indexDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return err
	}
	g.index = &d
	return nil
}

// parseIndexPolicy reads a policy document: {"Fields": [name, ...],
// "FieldsV2": {name: {"type": "FIELD_INDEX" | "FACET"}}}. A Fields entry is
// a FIELD_INDEX. The reference requires at least one field and names that
// are in only one of the two; other keys, repeated names and unknown types
// are refused too (our decision: they would index nothing silently).
func parseIndexPolicy(doc string) (map[string]string, error) {
	var pd struct {
		Fields   []string `json:"Fields"`
		FieldsV2 map[string]struct {
			Type string `json:"type"`
		} `json:"FieldsV2"`
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pd); err != nil || dec.More() {
		return nil, invalidParameter("Invalid index policy document: %s", policyErr(err))
	}
	fields := map[string]string{}
	for _, name := range pd.Fields {
		if _, dup := fields[name]; dup {
			return nil, invalidParameter("Invalid index policy document: field %q is listed twice.", name)
		}
		fields[name] = logsapi.IndexTypeFieldIndex
	}
	for name, f := range pd.FieldsV2 {
		if _, dup := fields[name]; dup {
			return nil, invalidParameter("Invalid index policy document: field %q is in both Fields and FieldsV2.", name)
		}
		if f.Type != logsapi.IndexTypeFieldIndex && f.Type != logsapi.IndexTypeFacet {
			return nil, invalidParameter("Invalid index policy document: the type of field %q must be FIELD_INDEX or FACET.", name)
		}
		fields[name] = f.Type
	}
	switch {
	case len(fields) == 0:
		return nil, invalidParameter("Invalid index policy document: it must include at least one field index.")
	case len(fields) > maxIndexFields:
		return nil, limitExceeded(fmt.Sprintf("An index policy can include at most %d fields; this one has %d.", maxIndexFields, len(fields)))
	}
	for name := range fields {
		if name == "" || len(name) > maxIndexFieldName {
			return nil, invalidParameter("Invalid index policy document: field names must be 1 to %d characters: %q.", maxIndexFieldName, name)
		}
	}
	return fields, nil
}

func policyErr(err error) string {
	if err == nil {
		return "it must be one JSON object."
	}
	return err.Error()
}

// retain drops the spans of fields that left the policy more than
// indexRetention before now.
func (d *indexDoc) retain(now int64) {
	d.Fields = slices.DeleteFunc(d.Fields, func(sp indexSpan) bool {
		return sp.Until != 0 && sp.Until+indexRetention.Milliseconds() <= now
	})
}

// active returns the open span of name, or nil.
func (d *indexDoc) active(name string) *indexSpan {
	for i := range d.Fields {
		if sp := &d.Fields[i]; sp.Name == name && sp.Until == 0 {
			return sp
		}
	}
	return nil
}

// close ends the open spans of the fields keep rejects.
func (d *indexDoc) close(now int64, keep func(string) bool) {
	for i := range d.Fields {
		if sp := &d.Fields[i]; sp.Until == 0 && !keep(sp.Name) {
			sp.Until = now
		}
	}
}

// indexGroup resolves a logGroupIdentifier to its group; the caller holds
// the catalog lock.
func (s *Service) indexGroup(p partition, identifier string) (*group, error) {
	name, err := groupFromIdentifier(p, identifier)
	if err != nil {
		return nil, err
	}
	g := s.cat.groups[p][name]
	if g == nil {
		return nil, errGroupNotFound()
	}
	return g, nil
}

// PutIndexPolicy creates or replaces the log group's policy. A field that
// stays keeps its index; a new one is indexed from now on ("Only log groups
// in the Standard log class support field index policies").
func (s *Service) PutIndexPolicy(ctx context.Context, in *logsapi.PutIndexPolicyRequest) (*logsapi.PutIndexPolicyResponse, error) {
	p := partitionOf(ctx)
	now := nowMillis(ctx)
	doc := shape.Value(in.PolicyDocument)
	fields, err := parseIndexPolicy(doc)
	if err != nil {
		return nil, err
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g, err := s.indexGroup(p, shape.Value(in.LogGroupIdentifier))
	if err != nil {
		return nil, err
	}
	if g.doc.Class != logsapi.LogGroupClassStandard {
		return nil, invalidParameter("Only log groups in the Standard log class support field index policies; %s is in the %s class.", g.doc.Name, g.doc.Class)
	}
	d := indexDoc{Policy: doc, Updated: now}
	if g.index != nil {
		d.Fields = slices.Clone(g.index.Fields)
	}
	d.close(now, func(name string) bool { return fields[name] != "" })
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if sp := d.active(name); sp != nil {
			sp.Type = fields[name]
			continue
		}
		d.Fields = append(d.Fields, indexSpan{Name: name, Type: fields[name], From: now})
	}
	d.retain(now)
	if err := s.cat.put(ctx, p, kindIndexPolicy, g.doc.Name, "", d); err != nil {
		return nil, err
	}
	g.index = &d
	return &logsapi.PutIndexPolicyResponse{IndexPolicy: indexPolicyOut(p, g)}, nil
}

func indexPolicyOut(p partition, g *group) *logsapi.IndexPolicy {
	return &logsapi.IndexPolicy{
		LogGroupIdentifier: shape.Ptr(groupArn(p, g.doc.Name)),
		LastUpdateTime:     shape.Ptr(g.index.Updated),
		PolicyDocument:     shape.Ptr(g.index.Policy),
		Source:             shape.Ptr(logsapi.IndexSourceLogGroup),
	}
}

// DeleteIndexPolicy removes the log group's policy; what was indexed stays
// usable for indexRetention. A group without a policy answers
// ResourceNotFoundException (our decision).
func (s *Service) DeleteIndexPolicy(ctx context.Context, in *logsapi.DeleteIndexPolicyRequest) (*logsapi.DeleteIndexPolicyResponse, error) {
	p := partitionOf(ctx)
	now := nowMillis(ctx)
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g, err := s.indexGroup(p, shape.Value(in.LogGroupIdentifier))
	if err != nil {
		return nil, err
	}
	if g.index == nil || g.index.Policy == "" {
		return nil, notFound("The log group " + g.doc.Name + " has no index policy.")
	}
	d := indexDoc{Updated: now, Fields: slices.Clone(g.index.Fields)}
	d.close(now, func(string) bool { return false })
	d.retain(now)
	if err := s.cat.put(ctx, p, kindIndexPolicy, g.doc.Name, "", d); err != nil {
		return nil, err
	}
	g.index = &d
	return &logsapi.DeleteIndexPolicyResponse{}, nil
}

// DescribeIndexPolicies returns the log group's policy, or none. Vigil has
// no account-level index policies, so no other policy applies.
func (s *Service) DescribeIndexPolicies(ctx context.Context, in *logsapi.DescribeIndexPoliciesRequest) (*logsapi.DescribeIndexPoliciesResponse, error) {
	p := partitionOf(ctx)
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	out := &logsapi.DescribeIndexPoliciesResponse{IndexPolicies: []logsapi.IndexPolicy{}}
	for _, id := range in.LogGroupIdentifiers {
		g, err := s.indexGroup(p, id)
		if err != nil {
			return nil, err
		}
		if g.index != nil && g.index.Policy != "" {
			out.IndexPolicies = append(out.IndexPolicies, *indexPolicyOut(p, g))
		}
	}
	return out, nil
}

// indexedFields are the fields a group indexes now: the default ones (Standard
// class), then its policy's; the caller holds the catalog lock.
func indexedFields(g *group) []indexSpan {
	var out []indexSpan
	if g.doc.Class == logsapi.LogGroupClassStandard {
		for _, name := range defaultIndexFields {
			out = append(out, indexSpan{Name: name, Type: logsapi.IndexTypeFieldIndex})
		}
	}
	if g.index != nil {
		for _, sp := range g.index.Fields {
			if sp.Until == 0 && !slices.ContainsFunc(out, func(o indexSpan) bool { return o.Name == sp.Name }) {
				out = append(out, sp)
			}
		}
	}
	return out
}

// hasFieldIndexes is ListLogGroups' fieldIndexNames filter: "Only log
// groups containing all specified field indexes are returned". A group
// contains the fields it indexes now, default ones included (our decision:
// the filter reads the configuration, not the data).
func hasFieldIndexes(g *group, names []string) bool {
	fields := indexedFields(g)
	for _, n := range names {
		if !slices.ContainsFunc(fields, func(sp indexSpan) bool { return sp.Name == n }) {
			return false
		}
	}
	return true
}

// DescribeFieldIndexes lists, per log group, the fields it indexes now that
// occur in its events ingested since the index began ("custom and default
// field indexes which are discovered in log data"), with the first and
// last such event. Vigil reads the events when asked, so lastScanTime is
// the time of the call. All results come in one page.
func (s *Service) DescribeFieldIndexes(ctx context.Context, in *logsapi.DescribeFieldIndexesRequest) (*logsapi.DescribeFieldIndexesResponse, error) {
	if s.indexScanner == nil {
		return nil, shape.NotImplemented("logs", "DescribeFieldIndexes")
	}
	p := partitionOf(ctx)
	type groupFields struct {
		name   string
		fields []indexSpan
	}
	var todo []groupFields
	s.cat.mu.RLock()
	for _, id := range in.LogGroupIdentifiers {
		g, err := s.indexGroup(p, id)
		if err != nil {
			s.cat.mu.RUnlock()
			return nil, err
		}
		todo = append(todo, groupFields{g.doc.Name, indexedFields(g)})
	}
	s.cat.mu.RUnlock()

	out := &logsapi.DescribeFieldIndexesResponse{FieldIndexes: []logsapi.FieldIndex{}}
	for _, gf := range todo {
		want := make([]insights.IndexedField, len(gf.fields))
		for i, sp := range gf.fields {
			want[i] = insights.IndexedField{Name: sp.Name, Since: sp.From}
		}
		spans, err := s.indexScanner.IndexedFieldSpans(ctx, p, gf.name, want)
		if err != nil {
			return nil, err
		}
		for _, fs := range spans {
			i := slices.IndexFunc(gf.fields, func(sp indexSpan) bool { return sp.Name == fs.Name })
			out.FieldIndexes = append(out.FieldIndexes, logsapi.FieldIndex{
				LogGroupIdentifier: shape.Ptr(groupArn(p, gf.name)),
				FieldIndexName:     shape.Ptr(fs.Name),
				LastScanTime:       shape.Ptr(nowMillis(ctx)),
				FirstEventTime:     shape.Ptr(fs.First),
				LastEventTime:      shape.Ptr(fs.Last),
				Type:               shape.Ptr(gf.fields[i].Type),
			})
		}
	}
	return out, nil
}

// indexSnapshot is what filterIndex reads: per log group of the query, the
// spans of its indexed fields, fixed when the query starts.
type indexSnapshot map[string][]indexSpan

func (x indexSnapshot) Indexed(group, field string, ingest int64) bool {
	for _, sp := range x[group] {
		if sp.Name == field && ingest >= sp.From && (sp.Until == 0 || ingest < sp.Until) {
			return true
		}
	}
	return false
}

// queryIndexes snapshots the field indexes of the query's groups at now:
// the default fields index every event of a Standard group; a field that
// left the policy still finds what it indexed for indexRetention.
func (s *Service) queryIndexes(p partition, groups []string, now int64) indexSnapshot {
	snap := indexSnapshot{}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	for _, name := range groups {
		g := s.cat.groups[p][name]
		if g == nil {
			continue
		}
		spans := indexedFields(g)
		if g.index != nil {
			for _, sp := range g.index.Fields {
				if sp.Until != 0 && now < sp.Until+indexRetention.Milliseconds() {
					spans = append(spans, sp)
				}
			}
		}
		snap[name] = spans
	}
	return snap
}
