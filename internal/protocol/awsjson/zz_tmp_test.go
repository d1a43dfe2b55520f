package awsjson

import (
	"math/rand/v2"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/protocol/internal/jsonwire"
)

func (d *putLogEventsDecoder) appendStringOld(dst []byte) ([]byte, bool) {
	data := d.data
	p := d.pos + 1
	for {
		q := jsonwire.PlainRun(data, p)
		dst = append(dst, data[p:q]...)
		if q >= len(data) {
			return dst, false
		}
		switch c := data[q]; {
		case c == '"':
			d.pos = q + 1
			return dst, true
		case c < 0x20:
			return dst, false
		}
		if q+1 >= len(data) {
			return dst, false
		}
		p = q + 2
		switch e := data[q+1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(data, p)
			if !ok {
				return dst, false
			}
			p += 4
			if utf16.IsSurrogate(r) {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
}

func scanAll(body []byte, old bool) int {
	d := putLogEventsDecoder{data: body}
	dst := make([]byte, 0, len(body))
	n := 0
	for i := 0; i < len(body); i++ {
		if body[i] == ':' && i+1 < len(body) && body[i+1] == '"' && body[i-2] == 'e' { // "message":"
			d.pos = i + 1
			var ok bool
			if old {
				dst, ok = d.appendStringOld(dst)
			} else {
				dst, ok = d.appendString(dst)
			}
			if !ok {
				panic("x")
			}
			i = d.pos - 1
			n++
		}
	}
	return n
}

func TestCompareScan(t *testing.T) {
	body := sdkLikeBody(rand.New(rand.NewPCG(3, 3)), 1000)
	best := [3]time.Duration{1 << 62, 1 << 62, 1 << 62}
	for range 300 {
		for v := range 3 {
			t0 := time.Now()
			switch v {
			case 0:
				scanAll(body, true)
			case 1:
				scanAll(body, false)
			case 2:
				DecodePutLogEvents(body, new(logsapi.PutLogEventsRequest))
			}
			best[v] = min(best[v], time.Since(t0))
		}
	}
	t.Logf("old %v new %v full %v; body %d", best[0], best[1], best[2], len(body))
}
