package logs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/logstore"
)

// The catalog is every log group, stream, metric filter, subscription filter
// and resource policy: small documents kept in memory for the hot path
// (PutLogEvents looks up its group and stream on every call) and written
// through to SQLite, one row per object, before a mutation is acknowledged.
// Stream statistics (first/last event time) change on every put, so they are
// kept in memory and written by FlushStats (every minute and at shutdown):
// after a kill -9 they may be up to a minute old, within the "eventually
// consistent" that AWS documents for lastEventTimestamp.

const catalogSchema = `CREATE TABLE IF NOT EXISTS logs_catalog (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	kind    TEXT NOT NULL,
	grp     TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, kind, grp, name)
)`

// Kinds of catalog rows.
const (
	kindGroup        = "group"
	kindStream       = "stream"
	kindMetricFilter = "metric_filter"
	kindSubscription = "subscription_filter"
	kindPolicy       = "resource_policy"
	kindQueryDef     = "query_definition"
	kindLookupTable  = "lookup_table"
	kindIndexPolicy  = "index_policy" // one per group, name ""
)

// groupDoc is a log group as persisted.
type groupDoc struct {
	Name               string            `json:"name"`
	Created            int64             `json:"created"`
	RetentionDays      int32             `json:"retentionDays,omitempty"`
	KmsKeyID           string            `json:"kmsKeyId,omitempty"`
	Class              string            `json:"class"`
	DeletionProtection bool              `json:"deletionProtection,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	StoredBytes        int64             `json:"storedBytes,omitempty"`
}

// streamDoc is a log stream as persisted.
type streamDoc struct {
	Name       string `json:"name"`
	Created    int64  `json:"created"`
	FirstEvent int64  `json:"firstEvent,omitempty"`
	LastEvent  int64  `json:"lastEvent,omitempty"`
	LastIngest int64  `json:"lastIngest,omitempty"`
}

// metricFilterDoc is a metric filter as persisted.
type metricFilterDoc struct {
	Name               string               `json:"name"`
	Pattern            string               `json:"pattern"`
	Created            int64                `json:"created"`
	Transformation     metricTransformation `json:"transformation"`
	ApplyOnTransformed bool                 `json:"applyOnTransformed,omitempty"`
}

type metricTransformation struct {
	Name         string            `json:"name"`
	Namespace    string            `json:"namespace"`
	Value        string            `json:"value"`
	DefaultValue *float64          `json:"defaultValue,omitempty"`
	Dimensions   map[string]string `json:"dimensions,omitempty"`
	Unit         string            `json:"unit,omitempty"`
}

// subscriptionDoc is a subscription filter as persisted.
type subscriptionDoc struct {
	Name           string `json:"name"`
	Pattern        string `json:"pattern"`
	DestinationArn string `json:"destinationArn"`
	RoleArn        string `json:"roleArn,omitempty"`
	Distribution   string `json:"distribution"`
	Created        int64  `json:"created"`
}

// policyDoc is a resource policy as persisted.
type policyDoc struct {
	Name        string `json:"name"`
	Document    string `json:"document"`
	Updated     int64  `json:"updated"`
	Scope       string `json:"scope"`
	ResourceArn string `json:"resourceArn,omitempty"`
	Revision    string `json:"revision"`
}

// group is a log group in memory. Its doc and maps are guarded by the
// catalog's lock; the hot-path fields are atomic.
type group struct {
	doc           groupDoc
	streams       map[string]*stream
	metricFilters map[string]*metricFilter
	subscriptions map[string]*subscriptionDoc
	index         *indexDoc // nil: no field index policy, now or within its retention

	storedBytes atomic.Int64
	// filters is the compiled metric filters, replaced whole on change so
	// PutLogEvents reads it without the catalog lock.
	filters atomic.Pointer[[]*metricFilter]
}

type metricFilter struct {
	doc     metricFilterDoc
	pattern *filterpattern.Pattern
	// The transformation compiled: value is nil for a literal metric value.
	value   *filterpattern.Ref
	literal float64
	dims    []dimRef
}

type dimRef struct {
	name string
	ref  *filterpattern.Ref
}

// newMetricFilter compiles a stored or validated metric filter.
func newMetricFilter(d metricFilterDoc, pat *filterpattern.Pattern) (*metricFilter, error) {
	f := &metricFilter{doc: d, pattern: pat}
	t := &d.Transformation
	var err error
	if isFieldRef(t.Value) {
		if f.value, err = pat.CompileRef(t.Value); err != nil {
			return nil, err
		}
	} else if f.literal, err = strconv.ParseFloat(t.Value, 64); err != nil {
		return nil, err
	}
	for name, ref := range t.Dimensions {
		r, err := pat.CompileRef(ref)
		if err != nil {
			return nil, err
		}
		f.dims = append(f.dims, dimRef{name, r})
	}
	slices.SortFunc(f.dims, func(a, b dimRef) int { return strings.Compare(a.name, b.name) })
	return f, nil
}

// stream is a log stream in memory; mu guards stats.
type stream struct {
	mu    sync.Mutex
	doc   streamDoc
	dirty bool
}

// noteEvents records a stored batch's time bounds.
func (s *stream) noteEvents(first, last, ingest int64) {
	s.mu.Lock()
	if s.doc.FirstEvent == 0 || first < s.doc.FirstEvent {
		s.doc.FirstEvent = first
	}
	if last > s.doc.LastEvent {
		s.doc.LastEvent = last
	}
	s.doc.LastIngest = ingest
	s.dirty = true
	s.mu.Unlock()
}

func (s *stream) snapshot() streamDoc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.doc
}

type partition = logstore.Partition

// catalog is safe for concurrent use.
type catalog struct {
	db *sql.DB

	mu        sync.RWMutex
	groups    map[partition]map[string]*group
	policies  map[partition]map[string]*policyDoc
	queryDefs map[partition]map[string]*queryDefDoc

	lookupTables map[partition]map[string]*lookupTable
}

func openCatalog(ctx context.Context, db *sql.DB) (*catalog, error) {
	if _, err := db.ExecContext(ctx, catalogSchema); err != nil {
		return nil, fmt.Errorf("logs catalog schema: %w", err)
	}
	c := &catalog{db: db}
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *catalog) reset() {
	c.mu.Lock()
	c.groups = map[partition]map[string]*group{}
	c.policies = map[partition]map[string]*policyDoc{}
	c.queryDefs = map[partition]map[string]*queryDefDoc{}
	c.lookupTables = map[partition]map[string]*lookupTable{}
	c.mu.Unlock()
}

func (c *catalog) load(ctx context.Context) error {
	c.reset()
	rows, err := c.db.QueryContext(ctx, `SELECT account, region, kind, grp, name, doc FROM logs_catalog ORDER BY kind = 'group' DESC`)
	if err != nil {
		return fmt.Errorf("load logs catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p partition
		var kind, grp, name, doc string
		if err := rows.Scan(&p.Account, &p.Region, &kind, &grp, &name, &doc); err != nil {
			return fmt.Errorf("load logs catalog: %w", err)
		}
		if err := c.loadRow(p, kind, grp, doc); err != nil {
			return fmt.Errorf("load logs catalog row %s/%s/%s/%s: %w", p.Account, p.Region, kind, name, err)
		}
	}
	return rows.Err()
}

func (c *catalog) loadRow(p partition, kind, grp, doc string) error {
	if kind == kindLookupTable {
		return c.loadLookupTable(p, doc)
	}
	if kind == kindQueryDef {
		var d queryDefDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		c.queryDefMap(p)[d.ID] = &d
		return nil
	}
	if kind == kindPolicy {
		var d policyDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		c.policyMap(p)[policyKey(d.Scope, d.Name, d.ResourceArn)] = &d
		return nil
	}
	if kind == kindGroup {
		var d groupDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		g := newGroup(d)
		g.storedBytes.Store(d.StoredBytes)
		c.groupMap(p)[d.Name] = g
		return nil
	}
	g := c.groupMap(p)[grp]
	if g == nil {
		return fmt.Errorf("%s of missing group %q", kind, grp)
	}
	switch kind {
	case kindStream:
		var d streamDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		g.streams[d.Name] = &stream{doc: d}
	case kindMetricFilter:
		var d metricFilterDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		pat, err := filterpattern.Parse(d.Pattern)
		if err != nil {
			return err
		}
		f, err := newMetricFilter(d, pat)
		if err != nil {
			return err
		}
		g.metricFilters[d.Name] = f
		g.publishFilters()
	case kindIndexPolicy:
		return loadIndexDoc(g, doc)
	case kindSubscription:
		var d subscriptionDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		g.subscriptions[d.Name] = &d
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	return nil
}

func newGroup(d groupDoc) *group {
	g := &group{doc: d, streams: map[string]*stream{}, metricFilters: map[string]*metricFilter{}, subscriptions: map[string]*subscriptionDoc{}}
	g.filters.Store(&[]*metricFilter{})
	return g
}

// publishFilters makes the current metric filters visible to PutLogEvents;
// the catalog's write lock (or load) must be held.
func (g *group) publishFilters() {
	fs := make([]*metricFilter, 0, len(g.metricFilters))
	for _, f := range g.metricFilters {
		fs = append(fs, f)
	}
	slices.SortFunc(fs, func(a, b *metricFilter) int { return strings.Compare(a.doc.Name, b.doc.Name) })
	g.filters.Store(&fs)
}

func (c *catalog) groupMap(p partition) map[string]*group {
	m := c.groups[p]
	if m == nil {
		m = map[string]*group{}
		c.groups[p] = m
	}
	return m
}

func (c *catalog) policyMap(p partition) map[string]*policyDoc {
	m := c.policies[p]
	if m == nil {
		m = map[string]*policyDoc{}
		c.policies[p] = m
	}
	return m
}

func (c *catalog) queryDefMap(p partition) map[string]*queryDefDoc {
	m := c.queryDefs[p]
	if m == nil {
		m = map[string]*queryDefDoc{}
		c.queryDefs[p] = m
	}
	return m
}

func policyKey(scope, name, resourceArn string) string {
	if scope == "RESOURCE" {
		return "r\x00" + resourceArn
	}
	return "a\x00" + name
}

// group returns the named group or nil. The caller may read g.doc only
// under the catalog's lock; the hot path uses the atomic fields.
func (c *catalog) group(p partition, name string) *group {
	c.mu.RLock()
	g := c.groups[p][name]
	c.mu.RUnlock()
	return g
}

// groupStream returns the group and stream, either nil when missing.
func (c *catalog) groupStream(p partition, groupName, streamName string) (*group, *stream) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g := c.groups[p][groupName]
	if g == nil {
		return nil, nil
	}
	return g, g.streams[streamName]
}

// put writes one row; the caller holds the write lock and updates memory
// only when put succeeds.
func (c *catalog) put(ctx context.Context, p partition, kind, grp, name string, doc any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind, err)
	}
	_, err = c.db.ExecContext(ctx, `INSERT INTO logs_catalog (account, region, kind, grp, name, doc) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account, region, kind, grp, name) DO UPDATE SET doc = excluded.doc`,
		p.Account, p.Region, kind, grp, name, string(b))
	if err != nil {
		return fmt.Errorf("store %s %q: %w", kind, name, err)
	}
	return nil
}

func (c *catalog) delete(ctx context.Context, p partition, kind, grp, name string) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM logs_catalog WHERE account = ? AND region = ? AND kind = ? AND grp = ? AND name = ?`,
		p.Account, p.Region, kind, grp, name)
	if err != nil {
		return fmt.Errorf("delete %s %q: %w", kind, name, err)
	}
	return nil
}

// deleteGroupRows removes a group and everything under it in one
// transaction.
func (c *catalog) deleteGroupRows(ctx context.Context, p partition, name string) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM logs_catalog WHERE account = ? AND region = ? AND ((kind = 'group' AND name = ?) OR (kind <> 'group' AND grp = ?))`,
		p.Account, p.Region, name, name)
	if err != nil {
		return fmt.Errorf("delete log group %q: %w", name, err)
	}
	return nil
}

// flushStats writes the statistics of streams and groups changed since the
// last flush.
func (c *catalog) flushStats(ctx context.Context) error {
	type row struct {
		p         partition
		kind, grp string
		name      string
		doc       any
		st        *stream // for stream rows: marked dirty again if the flush fails
	}
	var rows []row
	c.mu.RLock()
	for p, gs := range c.groups {
		for _, g := range gs {
			if sb := g.storedBytes.Load(); sb != g.doc.StoredBytes {
				d := g.doc
				d.StoredBytes = sb
				rows = append(rows, row{p, kindGroup, "", d.Name, d, nil})
			}
			for _, s := range g.streams {
				s.mu.Lock()
				if s.dirty {
					s.dirty = false
					rows = append(rows, row{p, kindStream, g.doc.Name, s.doc.Name, s.doc, s})
				}
				s.mu.Unlock()
			}
		}
	}
	c.mu.RUnlock()
	if len(rows) == 0 {
		return nil
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		for _, r := range rows {
			if r.st != nil {
				r.st.mu.Lock()
				r.st.dirty = true
				r.st.mu.Unlock()
			}
		}
	}()
	// Only update rows that still exist: a group or stream deleted since the
	// snapshot stays deleted.
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("flush log stream statistics: %w", err)
	}
	defer tx.Rollback()
	for _, r := range rows {
		b, err := json.Marshal(r.doc)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE logs_catalog SET doc = ? WHERE account = ? AND region = ? AND kind = ? AND grp = ? AND name = ?`,
			string(b), r.p.Account, r.p.Region, r.kind, r.grp, r.name); err != nil {
			return fmt.Errorf("flush log stream statistics: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("flush log stream statistics: %w", err)
	}
	committed = true
	c.mu.Lock()
	for _, r := range rows {
		if r.kind == kindGroup {
			if g := c.groups[r.p][r.name]; g != nil {
				g.doc.StoredBytes = r.doc.(groupDoc).StoredBytes
			}
		}
	}
	c.mu.Unlock()
	return nil
}
