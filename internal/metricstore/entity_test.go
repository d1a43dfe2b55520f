package metricstore

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/crashtest"
)

var (
	svcEntity = Entity{
		KeyAttributes: map[string]string{"Type": "Service", "Name": "checkout", "Environment": "prod"},
		Attributes:    map[string]string{"PlatformType": "AWS::EC2", "EC2.InstanceId": "i-1"},
	}
	ec2Entity = Entity{
		KeyAttributes: map[string]string{"Type": "AWS::Resource", "ResourceType": "AWS::EC2::Instance", "Identifier": "i-1"},
	}
	latency = SeriesKey{Namespace: "Shop", MetricName: "Latency", Dims: []Dim{{"Host", "h1"}}}
)

func entities(t testing.TB, s *Store, p Partition, k SeriesKey) []SeriesEntity {
	t.Helper()
	es, err := s.Entities(context.Background(), p, k)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func link(t testing.TB, s *Store, p Partition, e Entity, keys ...SeriesKey) {
	t.Helper()
	if err := s.LinkEntity(context.Background(), p, e, keys); err != nil {
		t.Fatal(err)
	}
}

// wantEntities compares entities (a nil want Attributes means none).
func wantEntities(t testing.TB, got []SeriesEntity, want ...SeriesEntity) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	for i := range want {
		if want[i].Attributes == nil {
			want[i].Attributes = map[string]string{}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("entities:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestLinkEntityKeepsEverySeriesEntities(t *testing.T) {
	clk := clock.NewFake(base.Add(30 * time.Second))
	s := testStore(t, t.TempDir(), clk)
	p := Partition{"111111111111", "us-east-1"}
	// The same series twice in one call, and a series whose key extends
	// latency's (one more dimension) must not show up under latency.
	wider := SeriesKey{Namespace: "Shop", MetricName: "Latency", Dims: []Dim{{"Host", "h1"}, {"Zone", "a"}}}
	link(t, s, p, svcEntity, latency, latency, wider)
	wantEntities(t, entities(t, s, p, latency), SeriesEntity{Entity: svcEntity, LastSeen: base})

	// A second entity later: most recently seen first.
	clk.Advance(2 * time.Minute)
	link(t, s, p, ec2Entity, latency)
	wantEntities(t, entities(t, s, p, latency),
		SeriesEntity{Entity: ec2Entity, LastSeen: base.Add(2 * time.Minute)},
		SeriesEntity{Entity: svcEntity, LastSeen: base})

	// The service seen again, with new Attributes: the latest win.
	clk.Advance(time.Minute)
	moved := Entity{KeyAttributes: svcEntity.KeyAttributes, Attributes: map[string]string{"PlatformType": "AWS::EKS"}}
	link(t, s, p, moved, latency)
	wantEntities(t, entities(t, s, p, latency),
		SeriesEntity{Entity: moved, LastSeen: base.Add(3 * time.Minute)},
		SeriesEntity{Entity: ec2Entity, LastSeen: base.Add(2 * time.Minute)})

	wantEntities(t, entities(t, s, p, wider), SeriesEntity{Entity: svcEntity, LastSeen: base})
	// Other partitions and series have none.
	wantEntities(t, entities(t, s, Partition{"222222222222", "us-east-1"}, latency))
	wantEntities(t, entities(t, s, p, SeriesKey{Namespace: "Shop", MetricName: "Latency"}))
	// Dimensions given out of order name the same series.
	wantEntities(t, entities(t, s, p, SeriesKey{Namespace: "Shop", MetricName: "Latency", Dims: []Dim{{"Zone", "a"}, {"Host", "h1"}}}),
		SeriesEntity{Entity: svcEntity, LastSeen: base})
}

// TestLinkEntityTimeOnlyMovesForward: a clock going back does not age a
// link.
func TestLinkEntityTimeOnlyMovesForward(t *testing.T) {
	clk := clock.NewFake(base.Add(10 * time.Minute))
	s := testStore(t, t.TempDir(), clk)
	p := Partition{"111111111111", "us-east-1"}
	link(t, s, p, ec2Entity, latency)
	clk.Set(base)
	link(t, s, p, ec2Entity, latency)
	wantEntities(t, entities(t, s, p, latency), SeriesEntity{Entity: ec2Entity, LastSeen: base.Add(10 * time.Minute)})
	// New Attributes are taken; the time stays.
	tagged := Entity{KeyAttributes: ec2Entity.KeyAttributes, Attributes: map[string]string{"EC2.AutoScalingGroup": "web"}}
	link(t, s, p, tagged, latency)
	wantEntities(t, entities(t, s, p, latency), SeriesEntity{Entity: tagged, LastSeen: base.Add(10 * time.Minute)})
}

func TestEntityLinksSurviveRestartAndGoWithReset(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(base)
	p := Partition{"111111111111", "us-east-1"}
	db := openPebble(t, dir)
	s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clk, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	link(t, s, p, svcEntity, latency)
	clk.Advance(5 * time.Minute)
	link(t, s, p, svcEntity, latency) // a later minute: rewritten without an fsync
	s.Close()
	db.Close()

	s = testStore(t, dir, clk)
	wantEntities(t, entities(t, s, p, latency), SeriesEntity{Entity: svcEntity, LastSeen: base.Add(5 * time.Minute)})
	// The reopened store knows the link is there: the same minute again
	// is not a change, new Attributes are.
	link(t, s, p, svcEntity, latency)
	changed := Entity{KeyAttributes: svcEntity.KeyAttributes, Attributes: map[string]string{"K8s.Namespace": "shop"}}
	link(t, s, p, changed, latency)
	wantEntities(t, entities(t, s, p, latency), SeriesEntity{Entity: changed, LastSeen: base.Add(5 * time.Minute)})

	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantEntities(t, entities(t, s, p, latency))
	// After a reset the cache must not claim the link is still stored.
	link(t, s, p, changed, latency)
	wantEntities(t, entities(t, s, p, latency), SeriesEntity{Entity: changed, LastSeen: base.Add(5 * time.Minute)})
}

// TestEntityLinksSurviveKill9 links in a child process that dies by
// SIGKILL right after LinkEntity returned; the parent finds every link.
func TestEntityLinksSurviveKill9(t *testing.T) {
	p := Partition{"111111111111", "us-east-1"}
	key := func(i int) SeriesKey {
		return SeriesKey{Namespace: "Shop", MetricName: "Latency", Dims: []Dim{{"Host", "h" + strconv.Itoa(i)}}}
	}
	dir := crashtest.Run(t, func(dir string) {
		db := openPebble(t, dir)
		s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clock.NewFake(base), Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			e := Entity{KeyAttributes: map[string]string{"Type": "AWS::Resource", "ResourceType": "AWS::EC2::Instance", "Identifier": "i-" + strconv.Itoa(i)}}
			if err := s.LinkEntity(context.Background(), p, e, []SeriesKey{key(i)}); err != nil {
				t.Fatal(err)
			}
		}
	})
	s := testStore(t, dir, clock.NewFake(base))
	for i := range 20 {
		es := entities(t, s, p, key(i))
		if len(es) != 1 || es[0].KeyAttributes["Identifier"] != "i-"+strconv.Itoa(i) {
			t.Fatalf("series %d after kill -9: %+v", i, es)
		}
	}
}

func TestLinkEntityAfterClose(t *testing.T) {
	dir := t.TempDir()
	db := openPebble(t, dir)
	defer db.Close()
	s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clock.NewFake(base), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.LinkEntity(context.Background(), Partition{"1", "r"}, svcEntity, []SeriesKey{latency}); !errors.Is(err, ErrClosed) {
		t.Fatalf("LinkEntity after Close: %v", err)
	}
}
