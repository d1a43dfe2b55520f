package server

import (
	"reflect"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/gateway"
	"github.com/vigilhq/vigil/internal/protocol/awsjson"
)

// putEventsInput is PutEvents' input shape, for the hot path's validation.
var putEventsInput = eventsapi.Model.Operation("PutEvents").Input

// eventsHot is PutEvents' fast path as the SDKs send it (awsJson 1.1): the
// hand-tuned decoder, then the model's constraints, checked by
// shape.Validate as on the generic path (a few entries' walk is cheap next
// to their decoding); the handler's rules run as for every other call.
var eventsHot = map[gateway.HotOp]gateway.HotDecoder{
	{Protocol: "awsJson1_1", Operation: "PutEvents"}: func(body []byte, in any) (func(), bool) {
		p := in.(*eventsapi.PutEventsRequest)
		return nil, awsjson.DecodePutEvents(body, p) && len(shape.Validate(putEventsInput, reflect.ValueOf(p))) == 0
	},
}
