package insights

// bind gives the stages that read the account's data besides its events
// (lookup tables, field indexes) what spec carries. It runs once per
// query, before the scan.
func (p *plan) bind(spec Spec) error {
	for _, stages := range [][]stage{p.pre, p.rest} {
		for _, s := range stages {
			if s.index != nil {
				s.index.src = spec.Indexes
			}
			if s.lookup == nil {
				continue
			}
			if err := s.lookup.bind(spec.Lookups); err != nil {
				return err
			}
		}
	}
	return nil
}
