package logs

import "github.com/vigilhq/vigil/internal/insights/query"

// joinGroups resolves the SOURCE of every join subquery of q (and of theirs)
// as the query's own SOURCE is: by name or logGroups(...), every group
// existing. Nil when q has no join.
func (s *Service) joinGroups(p partition, q *query.Query) (map[*query.Source][]string, error) {
	var out map[*query.Source][]string
	var walk func(q *query.Query) error
	walk = func(q *query.Query) error {
		for _, c := range q.Commands {
			j, ok := c.(*query.JoinCmd)
			if !ok {
				continue
			}
			groups, err := s.sourceGroups(p, j.Sub.Source)
			if err != nil {
				return err
			}
			if out == nil {
				out = map[*query.Source][]string{}
			}
			out[j.Sub.Source] = groups
			if err := walk(j.Sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(q); err != nil {
		return nil, err
	}
	return out, nil
}
