package metricstore

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/cockroachdb/pebble/v2"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore/stats"
	"github.com/vigilhq/vigil/internal/wal"
)

// TestDataDriven runs the scripts in testdata/. Commands:
//
//	append [account=A] [region=R]      one datum per input line:
//	    ns=N name=M [dims=A=1,B=2] t=OFFSET (v=V [c=C] | count=C sum=S min=X max=Y) [unit=U] [hr]
//	query [account=A] [region=R] ns=N name=M [dims=..] start=OFFSET end=OFFSET period=DUR [unit=U] [stats=Sum,p50,...]
//	series [account=A] [region=R] [ns=N] [name=M] [dims=A,B=2] [active=DUR] [after=ns/name/dims] [limit=N]
//	advance DUR | now OFFSET            move the fake clock (now: absolute offset from base)
//	maintain | flush | reopen | reset | keys
//
// OFFSETs are durations from 2026-01-01T00:00:00Z ("90m", "15d2h", "-1h").
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		h := newHarness(t)
		defer h.close()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			out, err := h.run(d)
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			return out
		})
	})
}

type harness struct {
	t     *testing.T
	dir   string
	db    *pebble.DB
	store *Store
	clk   *clock.Fake
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, dir: t.TempDir(), clk: clock.NewFake(base)}
	h.open()
	return h
}

func (h *harness) open() {
	h.db = openPebble(h.t, h.dir)
	s, err := Open(h.db, filepath.Join(h.dir, "metrics"), Options{Clock: h.clk, Logger: quiet})
	if err != nil {
		h.t.Fatal(err)
	}
	h.store = s
}

func (h *harness) close() {
	h.store.Close()
	h.db.Close()
}

func (h *harness) partition(args map[string]string) Partition {
	p := Partition{Account: "111111111111", Region: "us-east-1"}
	if v, ok := args["account"]; ok {
		p.Account = v
	}
	if v, ok := args["region"]; ok {
		p.Region = v
	}
	return p
}

func at(s string) (time.Time, error) {
	d, err := parseOffset(s)
	return base.Add(d), err
}

func num(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return v
}

func (h *harness) run(d *datadriven.TestData) (string, error) {
	ctx := context.Background()
	args := map[string]string{}
	for _, a := range d.CmdArgs {
		args[a.Key] = strings.Join(a.Vals, ",")
	}
	switch d.Cmd {
	case "append":
		p := h.partition(args)
		var ds []Datum
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			f := fields(line)
			t, err := at(f["t"])
			if err != nil {
				return "", err
			}
			dm := Datum{Key: SeriesKey{Namespace: f["ns"], MetricName: f["name"], Dims: parseDims(f["dims"])},
				T: t.UnixMilli(), Unit: f["unit"]}
			_, dm.HighRes = f["hr"]
			if c, ok := f["count"]; ok {
				dm.IsSet, dm.SetCount, dm.Sum, dm.Min, dm.Max = true, num(c), num(f["sum"]), num(f["min"]), num(f["max"])
			} else {
				dm.Value, dm.Count = num(f["v"]), 1
				if c, ok := f["c"]; ok {
					dm.Count = num(c)
				}
			}
			ds = append(ds, dm)
		}
		if err := h.store.Append(ctx, p, ds); err != nil {
			return "", err
		}
		return fmt.Sprintf("ok %d\n", len(ds)), nil
	case "query":
		q := Query{Key: SeriesKey{Namespace: args["ns"], MetricName: args["name"], Dims: parseDims(args["dims"])}}
		var err error
		if q.Start, err = at(args["start"]); err != nil {
			return "", err
		}
		if q.End, err = at(args["end"]); err != nil {
			return "", err
		}
		if q.Period, err = parseOffset(args["period"]); err != nil {
			return "", err
		}
		if u, ok := args["unit"]; ok {
			q.Unit = &u
		}
		names := "SampleCount,Sum,Minimum,Maximum"
		if s, ok := args["stats"]; ok {
			names = s
		}
		var sts []stats.Statistic
		for _, n := range strings.Split(names, ",") {
			st, err := stats.ParseStatistic(n)
			if err != nil {
				return "", err
			}
			sts = append(sts, st)
		}
		bs, err := h.store.Query(ctx, h.partition(args), q)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, bk := range bs {
			fmt.Fprintf(&b, "%s %s", fmtOffset(bk.T), bk.Unit)
			for i, st := range sts {
				v, ok := stats.Compute(&bk.Agg, st)
				if ok {
					fmt.Fprintf(&b, " %s=%s", strings.Split(names, ",")[i], strconv.FormatFloat(v, 'g', 6, 64))
				} else {
					fmt.Fprintf(&b, " %s=-", strings.Split(names, ",")[i])
				}
			}
			if !bk.Agg.IsExact() && !bk.Agg.NoDistribution {
				b.WriteString(" (sketch)")
			}
			b.WriteString("\n")
		}
		if len(bs) == 0 {
			b.WriteString("no data\n")
		}
		return b.String(), nil
	case "series":
		var f SeriesFilter
		if v, ok := args["ns"]; ok {
			f.Namespace = &v
		}
		if v, ok := args["name"]; ok {
			f.MetricName = &v
		}
		if v, ok := args["dims"]; ok {
			for _, kv := range strings.Split(v, ",") {
				k, val, has := strings.Cut(kv, "=")
				df := DimFilter{Name: k}
				if has {
					df.Value = &val
				}
				f.Dims = append(f.Dims, df)
			}
		}
		if v, ok := args["active"]; ok {
			dur, err := parseOffset(v)
			if err != nil {
				return "", err
			}
			f.ActiveSince = h.clk.Now().Add(-dur)
		}
		var after *SeriesKey
		if v, ok := args["after"]; ok {
			parts := strings.SplitN(v, "/", 3)
			k := SeriesKey{Namespace: parts[0], MetricName: parts[1]}
			if len(parts) == 3 {
				k.Dims = parseDims(parts[2])
			}
			after = &k
		}
		limit := 0
		if v, ok := args["limit"]; ok {
			limit, _ = strconv.Atoi(v)
		}
		infos, err := h.store.Series(ctx, h.partition(args), f, after, limit)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, in := range infos {
			fmt.Fprintf(&b, "%s/%s/%s last=%s\n", in.Key.Namespace, in.Key.MetricName, fmtDims(in.Key.Dims), fmtOffset(in.LastWrite))
		}
		if len(infos) == 0 {
			b.WriteString("none\n")
		}
		return b.String(), nil
	case "advance":
		dur, err := parseOffset(d.CmdArgs[0].Key)
		if err != nil {
			return "", err
		}
		return "now " + fmtOffset(h.clk.Advance(dur)) + "\n", nil
	case "now":
		t, err := at(d.CmdArgs[0].Key)
		if err != nil {
			return "", err
		}
		h.clk.Set(t)
		return "now " + fmtOffset(t) + "\n", nil
	case "maintain":
		return "ok\n", h.store.Maintain(ctx)
	case "flush":
		return "ok\n", h.store.Flush(ctx)
	case "reset":
		return "ok\n", h.store.Reset(ctx)
	case "reopen":
		h.close()
		h.open()
		return "ok\n", nil
	case "keys":
		return h.keys(), nil
	}
	return "", fmt.Errorf("unknown command %q", d.Cmd)
}

// keys summarises the engine's Pebble data keys: tier, window and count.
func (h *harness) keys() string {
	it, err := h.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixData), UpperBound: tierStart(numTiers)})
	if err != nil {
		return err.Error()
	}
	defer it.Close()
	names := [numTiers]string{"1s", "1m", "5m", "1h"}
	var b strings.Builder
	type tw struct {
		tier int
		w    int64
	}
	var order []tw
	counts := map[tw]int{}
	for ok := it.First(); ok; ok = it.Next() {
		tier, w, _, _, _ := parseDataKey(it.Key())
		k := tw{tier, w}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	for _, k := range order {
		fmt.Fprintf(&b, "%s window %s: %d chunks\n", names[k.tier], fmtOffset(time.UnixMilli(k.w).UTC()), counts[k])
	}
	segs, _ := wal.Segments(filepath.Join(h.dir, "metrics"))
	fmt.Fprintf(&b, "wal segments: %d\n", len(segs))
	if len(order) == 0 {
		b.WriteString("no chunks\n")
	}
	return b.String()
}
