package bench

import "fmt"

// EventRulePatterns returns n event patterns of mixed operators (exact,
// prefix, numeric range, anything-but with another field, cidr), the
// EventBridge benchmarks' rules. The first, {"source":["app.orders"]},
// matches the events those benchmarks send as matching.
func EventRulePatterns(n int) []string {
	out := make([]string, n)
	for i := range out {
		switch i % 5 {
		case 0:
			out[i] = fmt.Sprintf(`{"source":["app.orders%d"],"detail-type":["OrderPlaced"]}`, i)
		case 1:
			out[i] = fmt.Sprintf(`{"detail":{"customer":[{"prefix":"c-%d"}]}}`, i)
		case 2:
			out[i] = fmt.Sprintf(`{"detail":{"amount":[{"numeric":[">",%d,"<=",%d]}]}}`, 1000+i, 1100+i)
		case 3:
			out[i] = fmt.Sprintf(`{"detail":{"region":[{"anything-but":["eu-%d"]}],"tier":["gold%d"]}}`, i, i)
		default:
			out[i] = fmt.Sprintf(`{"detail":{"ip":[{"cidr":"10.%d.0.0/16"}]}}`, i)
		}
	}
	if n > 0 {
		out[0] = `{"source":["app.orders"]}`
	}
	return out
}
