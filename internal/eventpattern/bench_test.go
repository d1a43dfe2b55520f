package eventpattern

import (
	"fmt"
	"testing"

	"github.com/vigilhq/vigil/internal/cputime"
)

// benchEvent returns a ~1 KB CloudTrail-style event; i varies the values.
func benchEvent(i int) []byte {
	return fmt.Appendf(nil, `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"AWS API Call via CloudTrail","source":"aws.svc%d","account":"123456789012","time":"2024-05-01T12:00:%02dZ","region":"us-east-1","resources":["arn:aws:svc%d:us-east-1:123456789012:thing/t-%d"],"detail":{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:session","arn":"arn:aws:sts::123456789012:assumed-role/Role%d/session","accountId":"123456789012","sessionContext":{"attributes":{"creationDate":"2024-05-01T11:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-05-01T12:00:00Z","eventSource":"svc%d.amazonaws.com","eventName":"PutThing%d","awsRegion":"us-east-1","sourceIPAddress":"10.%d.%d.7","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.5 exe/x86_64","requestParameters":{"thingName":"t-%d","count":%d,"tags":[{"key":"env","value":"prod"},{"key":"team","value":"t%d"}]},"responseElements":null,"requestID":"c1a2b3c4-d5e6-47f8-9a0b-1c2d3e4f5a6b","eventID":"0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"svc.us-east-1.amazonaws.com"}}}`,
		i%200, i%60, i%200, i, i%50, i%200, i%500, i%250, i%200, i, i%1000, i%30)
}

// benchRule returns rule i of a mix of operator families.
func benchRule(i int) string {
	switch i % 10 {
	case 0:
		return fmt.Sprintf(`{"source":["aws.svc%d"],"detail-type":["AWS API Call via CloudTrail"]}`, i%400)
	case 1:
		return fmt.Sprintf(`{"source":["aws.svc%d"],"detail":{"eventName":[{"prefix":"PutThing%d"}]}}`, i%400, i%500)
	case 2:
		return fmt.Sprintf(`{"detail":{"userIdentity":{"arn":[{"suffix":"Role%d/session"}]}}}`, i%100)
	case 3:
		return fmt.Sprintf(`{"detail":{"eventName":[{"equals-ignore-case":"putthing%d"}],"readOnly":[false]}}`, i%1000)
	case 4:
		return fmt.Sprintf(`{"source":["aws.svc%d"],"detail":{"requestParameters":{"count":[{"numeric":[">=",%d,"<",%d]}]}}}`, i%400, i%1000, i%1000+5)
	case 5:
		return fmt.Sprintf(`{"detail":{"sourceIPAddress":[{"cidr":"10.%d.%d.0/24"}]}}`, i%250, i%200)
	case 6:
		return fmt.Sprintf(`{"detail":{"eventSource":[{"wildcard":"svc%d.*.com"}]}}`, i%400)
	case 7:
		return fmt.Sprintf(`{"source":["aws.svc%d"],"detail":{"errorCode":[{"exists":false}],"userAgent":[{"anything-but":{"prefix":"console"}}]}}`, i%400)
	case 8:
		return fmt.Sprintf(`{"$or":[{"source":["aws.svc%d"]},{"detail":{"eventName":["GetThing%d"]}}],"region":["us-east-1"]}`, i%400, i)
	default:
		return fmt.Sprintf(`{"detail":{"requestParameters":{"tags":{"key":["team"],"value":["t%d"]}}}}`, i%300)
	}
}

// benchMatcher is a matcher of the first n benchmark rules, its index
// built.
func benchMatcher(tb testing.TB, n int) *Matcher {
	tb.Helper()
	m := NewMatcher()
	for i := 0; i < n; i++ {
		p, err := Compile([]byte(benchRule(i)))
		if err != nil {
			tb.Fatal(err)
		}
		m.Add(fmt.Sprint(i), p)
	}
	if _, err := m.MatchEvent(benchEvent(0), nil); err != nil {
		tb.Fatal(err)
	}
	return m
}

func BenchmarkMatcher(b *testing.B) {
	events := make([][]byte, 256)
	size := 0
	for i := range events {
		events[i] = benchEvent(i * 7919)
		size += len(events[i])
	}
	for _, n := range []int{10, 100, 1000, 10000} {
		m := benchMatcher(b, n)
		var out []string
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.SetBytes(int64(size / len(events)))
			b.ReportAllocs()
			matched := 0
			cpu0, cpuOK := cputime.Process()
			for i := 0; b.Loop(); i++ {
				var err error
				out, err = m.MatchEvent(events[i%len(events)], out[:0])
				if err != nil {
					b.Fatal(err)
				}
				matched += len(out)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(matched)/float64(b.N), "matches/event")
			if cpu1, ok := cputime.Process(); ok && cpuOK {
				b.ReportMetric(float64(b.N)/(cpu1-cpu0).Seconds(), "events/cpu-s")
			}
		})
	}
}

func BenchmarkPatternMatch(b *testing.B) {
	p, err := Compile([]byte(benchRule(4)))
	if err != nil {
		b.Fatal(err)
	}
	ev := benchEvent(4)
	b.SetBytes(int64(len(ev)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Match(ev); err != nil {
			b.Fatal(err)
		}
	}
}
