package insights

import (
	"context"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// TestParallelReadingMatchesSequential runs queries over enough series that
// the catalog is read by several workers, and compares with one worker.
func TestParallelReadingMatchesSequential(t *testing.T) {
	c := newBenchCatalog(3000, 30, 17)
	w := Window{Start: t0, End: t0.Add(30 * time.Minute), Period: time.Minute, Now: t0.Add(30 * time.Minute)}
	for _, sql := range []string{
		`SELECT AVG(CPUUtilization) FROM "AWS/EC2" GROUP BY AutoScalingGroupName ORDER BY AVG() DESC`,
		`SELECT MIN(CPUUtilization) FROM "AWS/EC2" GROUP BY AutoScalingGroupName`,
		`SELECT MAX(CPUUtilization) FROM "AWS/EC2"`,
		`SELECT SUM(CPUUtilization) FROM "AWS/EC2" GROUP BY AutoScalingGroupName ORDER BY SUM() ASC LIMIT 5`,
		`SELECT COUNT(CPUUtilization) FROM "AWS/EC2" WHERE AutoScalingGroupName != 'asg-0003' GROUP BY AutoScalingGroupName`,
	} {
		q, err := Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		prev := runtime.GOMAXPROCS(1)
		seq, err := q.Run(context.Background(), c, w)
		runtime.GOMAXPROCS(4)
		par, err2 := q.Run(context.Background(), c, w)
		runtime.GOMAXPROCS(prev)
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		if len(seq.Series) == 0 || !reflect.DeepEqual(seq, par) {
			t.Errorf("%s: sequential and parallel results differ (or are empty)", sql)
		}
	}
}
