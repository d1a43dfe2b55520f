package cloudwatch

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// entityEnv is a CloudWatch service over a real metrics engine in dir,
// reopened by reopen as a restarted server would.
type entityEnv struct {
	t   *testing.T
	dir string
	clk *clock.Fake
	db  *pebble.DB
	st  *metricstore.Store
	s   *Service
}

func newEntityEnv(t *testing.T) *entityEnv {
	e := &entityEnv{t: t, dir: t.TempDir(), clk: clock.NewFake(now)}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *entityEnv) open() {
	db, err := pebble.Open(filepath.Join(e.dir, "pebble"), &pebble.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	st, err := metricstore.Open(db, filepath.Join(e.dir, "metrics"), metricstore.Options{Clock: e.clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db, e.st, e.s = db, st, New(st, e.clk)
}

func (e *entityEnv) close() {
	if e.st != nil {
		e.st.Close()
		e.db.Close()
		e.st = nil
	}
}

func (e *entityEnv) reopen() {
	e.close()
	e.open()
}

// put calls PutMetricData and returns its error and the failure reported
// for the X-Amzn-Failure-Message header.
func (e *entityEnv) put(in *cwapi.PutMetricDataInput) (string, error) {
	rq := &reqctx.Request{Caller: reqctx.Caller{AccountID: "123456789012"}, Region: "us-east-1", Time: e.clk.Now()}
	err := e.s.PutMetricData(reqctx.With(context.Background(), rq), in)
	return rq.FailureMessage, err
}

var entityPart = metricstore.Partition{Account: "123456789012", Region: "us-east-1"}

func (e *entityEnv) entities(name string, dims ...metricstore.Dim) []metricstore.SeriesEntity {
	e.t.Helper()
	es, err := e.st.Entities(context.Background(), entityPart, metricstore.SeriesKey{Namespace: "App", MetricName: name, Dims: dims})
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}

// count is how many datapoints App/name holds in the last hour.
func (e *entityEnv) count(name string, dims ...metricstore.Dim) float64 {
	e.t.Helper()
	bs, err := e.st.Query(context.Background(), entityPart, metricstore.Query{
		Key: metricstore.SeriesKey{Namespace: "App", MetricName: name, Dims: dims}, Start: now.Add(-time.Hour), End: now.Add(time.Minute), Period: 2 * time.Hour})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0.0
	for _, b := range bs {
		n += b.Agg.Count
	}
	return n
}

func kv(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

func withEntity(strict *bool, ents ...*cwapi.Entity) *cwapi.PutMetricDataInput {
	in := &cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), StrictEntityValidation: strict}
	for i, ent := range ents {
		in.EntityMetricData = append(in.EntityMetricData, cwapi.EntityMetricData{Entity: ent,
			MetricData: []cwapi.MetricDatum{datum("m"+strconv.Itoa(i+1), 1)}})
	}
	return in
}

func manyAttrs(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m["a"+strconv.Itoa(i)] = "v"
	}
	return m
}

// TestEntityRules checks every entity rule both ways: with
// StrictEntityValidation true the call fails with InvalidParameterValue
// naming the failure and stores nothing; with false the metric is stored,
// the entity dropped and the failure named for X-Amzn-Failure-Message.
func TestEntityRules(t *testing.T) {
	long := strings.Repeat("x", 2049)
	for _, c := range []struct {
		name   string
		entity *cwapi.Entity
		want   string // the failure's name and message
	}{
		{"no KeyAttributes", &cwapi.Entity{Attributes: kv("PlatformType", "Generic")},
			"InvalidEntity: EntityMetricData.member.1.Entity has no KeyAttributes: an entity is identified by its KeyAttributes."},
		{"empty KeyAttributes", &cwapi.Entity{KeyAttributes: kv()},
			"InvalidEntity: EntityMetricData.member.1.Entity has no KeyAttributes: an entity is identified by its KeyAttributes."},
		{"unknown key", &cwapi.Entity{KeyAttributes: kv("Type", "Service", "Name", "a", "Region", "b")},
			"InvalidKeyAttributes: EntityMetricData.member.1.Entity.KeyAttributes has the key Region; the keys are Type, ResourceType, Identifier, Name, Environment."},
		{"empty value", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "")},
			"InvalidKeyAttributes: EntityMetricData.member.1.Entity.KeyAttributes.Name must be 1 to 2048 characters long."},
		{"long value", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", long)},
			"InvalidKeyAttributes: EntityMetricData.member.1.Entity.KeyAttributes.Name must be 1 to 2048 characters long."},
		{"no Type", &cwapi.Entity{KeyAttributes: kv("Name", "checkout", "Environment", "prod")},
			"MissingRequiredFields: EntityMetricData.member.1.Entity.KeyAttributes has no Type."},
		{"unknown Type", &cwapi.Entity{KeyAttributes: kv("Type", "Database", "Name", "orders")},
			"InvalidTypeValue: The value Database of EntityMetricData.member.1.Entity.KeyAttributes.Type is invalid; the types are Service, RemoteService, AWS::Service, Resource and AWS::Resource."},
		{"Type is case-sensitive", &cwapi.Entity{KeyAttributes: kv("Type", "service", "Name", "a", "Environment", "b")},
			"InvalidTypeValue: The value service of EntityMetricData.member.1.Entity.KeyAttributes.Type is invalid; the types are Service, RemoteService, AWS::Service, Resource and AWS::Resource."},
		{"Identifier on a service", &cwapi.Entity{KeyAttributes: kv("Type", "Service", "Name", "a", "Environment", "b", "Identifier", "c")},
			"InvalidKeyAttributes: EntityMetricData.member.1.Entity.KeyAttributes.Identifier does not apply to an entity of Type Service."},
		{"ResourceType on an AWS service", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "S3", "ResourceType", "AWS::S3::Bucket")},
			"InvalidKeyAttributes: EntityMetricData.member.1.Entity.KeyAttributes.ResourceType does not apply to an entity of Type AWS::Service."},
		{"Name on a resource", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Resource", "ResourceType", "AWS::EC2::Instance", "Identifier", "i-1", "Name", "web")},
			"InvalidKeyAttributes: EntityMetricData.member.1.Entity.KeyAttributes.Name does not apply to an entity of Type AWS::Resource."},
		{"service without Environment", &cwapi.Entity{KeyAttributes: kv("Type", "Service", "Name", "checkout")},
			"MissingRequiredFields: EntityMetricData.member.1.Entity.KeyAttributes must have Environment for an entity of Type Service."},
		{"service without Name", &cwapi.Entity{KeyAttributes: kv("Type", "Service", "Environment", "prod")},
			"MissingRequiredFields: EntityMetricData.member.1.Entity.KeyAttributes must have Name for an entity of Type Service."},
		{"remote service without Name", &cwapi.Entity{KeyAttributes: kv("Type", "RemoteService", "Environment", "prod")},
			"MissingRequiredFields: EntityMetricData.member.1.Entity.KeyAttributes must have Name for an entity of Type RemoteService."},
		{"AWS service without Name", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Environment", "prod")},
			"MissingRequiredFields: EntityMetricData.member.1.Entity.KeyAttributes must have Name for an entity of Type AWS::Service."},
		{"resource without Identifier", &cwapi.Entity{KeyAttributes: kv("Type", "Resource", "ResourceType", "K8s::Pod")},
			"MissingRequiredFields: EntityMetricData.member.1.Entity.KeyAttributes must have Identifier for an entity of Type Resource."},
		{"AWS resource without ResourceType", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Resource", "Identifier", "i-1")},
			"MissingRequiredFields: EntityMetricData.member.1.Entity.KeyAttributes must have ResourceType for an entity of Type AWS::Resource."},
		{"11 attributes", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "S3"), Attributes: manyAttrs(11)},
			"InvalidAttributes: EntityMetricData.member.1.Entity.Attributes has 11 entries; it may have at most 10."},
		{"empty attribute key", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "S3"), Attributes: kv("", "v")},
			"InvalidAttributes: The key  of EntityMetricData.member.1.Entity.Attributes must be 1 to 256 characters long."},
		{"long attribute key", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "S3"), Attributes: kv(strings.Repeat("k", 257), "v")},
			"InvalidAttributes: The key " + strings.Repeat("k", 257) + " of EntityMetricData.member.1.Entity.Attributes must be 1 to 256 characters long."},
		{"empty attribute value", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "S3"), Attributes: kv("PlatformType", "")},
			"InvalidAttributes: EntityMetricData.member.1.Entity.Attributes.PlatformType must be 1 to 2048 characters long."},
		{"long attribute value", &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "S3"), Attributes: kv("PlatformType", long)},
			"InvalidAttributes: EntityMetricData.member.1.Entity.Attributes.PlatformType must be 1 to 2048 characters long."},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEntityEnv(t)
			failure, err := e.put(withEntity(shape.Ptr(true), c.entity))
			if err == nil || err.Error() != "InvalidParameterValue: "+c.want || failure != "" {
				t.Fatalf("strict: %v (failure %q)\nwant InvalidParameterValue: %s", err, failure, c.want)
			}
			if n := e.count("m1"); n != 0 {
				t.Fatalf("strict: %v datapoints stored", n)
			}
			failure, err = e.put(withEntity(shape.Ptr(false), c.entity))
			if err != nil || !strings.HasPrefix(c.want, failure+": ") {
				t.Fatalf("lenient: %v, failure %q, want the failure of %q", err, failure, c.want)
			}
			if n := e.count("m1"); n != 1 {
				t.Fatalf("lenient: %v datapoints stored, want 1", n)
			}
			if es := e.entities("m1"); len(es) != 0 {
				t.Fatalf("lenient: the invalid entity was linked: %+v", es)
			}
		})
	}
}

func TestEntityCountAndStrictness(t *testing.T) {
	e := newEntityEnv(t)
	ok := &cwapi.Entity{KeyAttributes: kv("Type", "AWS::Service", "Name", "S3")}
	// More than two EntityMetricData objects: strict refuses, lenient
	// stores every metric and drops every entity.
	if _, err := e.put(withEntity(shape.Ptr(true), ok, ok, ok)); err == nil ||
		err.Error() != "InvalidParameterValue: EntitySizeTooLarge: The number of EntityMetricData objects allowed is 2; the request has 3." {
		t.Fatalf("3 entities, strict: %v", err)
	}
	failure, err := e.put(withEntity(shape.Ptr(false), ok, ok, ok))
	if err != nil || failure != "EntitySizeTooLarge" {
		t.Fatalf("3 entities, lenient: %v %q", err, failure)
	}
	for _, m := range []string{"m1", "m2", "m3"} {
		if e.count(m) != 1 || len(e.entities(m)) != 0 {
			t.Fatalf("%s: %v datapoints, entities %+v", m, e.count(m), e.entities(m))
		}
	}
	// StrictEntityValidation is required with EntityMetricData, and only then.
	if _, err := e.put(withEntity(nil, ok)); err == nil ||
		err.Error() != "MissingParameter: The parameter StrictEntityValidation is required when EntityMetricData is included." {
		t.Fatalf("no StrictEntityValidation: %v", err)
	}
	if _, err := e.put(&cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), MetricData: []cwapi.MetricDatum{datum("plain", 1)}}); err != nil {
		t.Fatalf("no entities, no StrictEntityValidation: %v", err)
	}
	// An EntityMetricData without an Entity is metrics without one.
	failure, err = e.put(withEntity(shape.Ptr(true), nil))
	if err != nil || failure != "" || e.count("m1") != 2 || len(e.entities("m1")) != 0 {
		t.Fatalf("no Entity: %v %q", err, failure)
	}
	// A metric error fails the call whatever StrictEntityValidation says.
	in := withEntity(shape.Ptr(false), ok)
	in.EntityMetricData[0].MetricData[0].Value = nil
	if _, err := e.put(in); err == nil || !strings.HasPrefix(err.Error(), "MissingParameter: One of the parameters EntityMetricData.member.1.MetricData.member.1.Value") {
		t.Fatalf("metric error, lenient: %v", err)
	}
}

// TestEntityLinksEachTypeAndSurvivesRestart: every documented type is
// accepted and linked to the series its metrics went to (every series of
// its datums, Values datums once), the valid entity of a call with an
// invalid one too, and the links outlive a restart.
func TestEntityLinksEachTypeAndSurvivesRestart(t *testing.T) {
	e := newEntityEnv(t)
	host := metricstore.Dim{Name: "Host", Value: "h1"}
	valid := []map[string]string{
		kv("Type", "Service", "Name", "checkout", "Environment", "prod"),
		kv("Type", "RemoteService", "Name", "payments"),
		kv("Type", "RemoteService", "Name", "payments", "Environment", "prod"),
		kv("Type", "AWS::Service", "Name", "S3"),
		kv("Type", "AWS::Service", "Name", "S3", "Environment", "us-east-1"),
		kv("Type", "Resource", "ResourceType", "K8s::Pod", "Identifier", "web-7f9"),
		kv("Type", "AWS::Resource", "ResourceType", "AWS::EC2::Instance", "Identifier", "i-1", "Environment", "prod"),
	}
	var want []metricstore.SeriesEntity
	for i, ka := range valid {
		e.clk.Advance(time.Minute)
		attrs := manyAttrs(10)
		in := &cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), StrictEntityValidation: shape.Ptr(true),
			EntityMetricData: []cwapi.EntityMetricData{{Entity: &cwapi.Entity{KeyAttributes: ka, Attributes: attrs}, MetricData: []cwapi.MetricDatum{
				{MetricName: shape.Ptr("Latency"), Values: []float64{1, 2, 3}, Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr("h1")}}},
				datum("Count", float64(i)),
			}}}}
		if failure, err := e.put(in); err != nil || failure != "" {
			t.Fatalf("%v: %v %q", ka, err, failure)
		}
		want = append([]metricstore.SeriesEntity{{Entity: metricstore.Entity{KeyAttributes: ka, Attributes: attrs}, LastSeen: e.clk.Now().Truncate(time.Minute)}}, want...)
	}
	// A lenient call with one invalid and one valid entity links the valid one.
	e.clk.Advance(time.Minute)
	svc := kv("Type", "Service", "Name", "checkout", "Environment", "prod")
	failure, err := e.put(withEntity(shape.Ptr(false), &cwapi.Entity{KeyAttributes: kv("Type", "Service")}, &cwapi.Entity{KeyAttributes: svc}))
	if err != nil || failure != "MissingRequiredFields" {
		t.Fatalf("mixed: %v %q", err, failure)
	}

	check := func(when string) {
		t.Helper()
		if got := e.entities("Latency", host); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: Latency's entities\ngot  %+v\nwant %+v", when, got, want)
		}
		if got := e.entities("Count"); len(got) != len(valid) {
			t.Fatalf("%s: Count's entities: %+v", when, got)
		}
		if got := e.entities("m2"); len(got) != 1 || !reflect.DeepEqual(got[0].KeyAttributes, svc) || len(got[0].Attributes) != 0 {
			t.Fatalf("%s: m2's entities: %+v", when, got)
		}
		if got := e.entities("m1"); len(got) != 0 {
			t.Fatalf("%s: m1's entities: %+v", when, got)
		}
	}
	check("before restart")
	e.reopen()
	check("after restart")
}
