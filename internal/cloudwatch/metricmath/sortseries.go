package metricmath

import "sort"

type byTime struct{ s *series }

func (b byTime) Len() int           { return len(b.s.t) }
func (b byTime) Less(i, j int) bool { return b.s.t[i] < b.s.t[j] }
func (b byTime) Swap(i, j int) {
	b.s.t[i], b.s.t[j] = b.s.t[j], b.s.t[i]
	b.s.v[i], b.s.v[j] = b.s.v[j], b.s.v[i]
}

// sortSeries orders points by time; of duplicate timestamps the first kept.
func sortSeries(s *series) {
	sort.Stable(byTime{s})
	w := 0
	for i := range s.t {
		if w > 0 && s.t[i] == s.t[w-1] {
			continue
		}
		s.t[w], s.v[w] = s.t[i], s.v[i]
		w++
	}
	s.t, s.v = s.t[:w], s.v[:w]
}
