package memberpath

import "testing"

func TestPath(t *testing.T) {
	var p Path
	if p.String() != "" {
		t.Fatal("empty path")
	}
	p.Push("MetricData", -1)
	p.Push("", 3)
	p.Push("Dimensions", -1)
	p.Push("", 0)
	p.Push("Value", -1)
	if got := p.String(); got != "MetricData[3].Dimensions[0].Value" {
		t.Fatalf("got %q", got)
	}
	p.Pop()
	p.Pop()
	if got := p.String(); got != "MetricData[3].Dimensions" {
		t.Fatalf("after pops: %q", got)
	}
}
