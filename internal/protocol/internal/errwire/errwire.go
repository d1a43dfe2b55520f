// Package errwire decides, once for every protocol, what an error returned by
// a handler means on the wire: HTTP status, error type, awsQuery-compatible
// code and fault, message, and the modeled error's members. It only resolves;
// each codec writes the result in its own format.
package errwire

import (
	"errors"
	"reflect"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// InternalMessage is the message of an error that is neither modeled nor a
// *shape.Error: its text is never revealed to the client.
const InternalMessage = "We encountered an internal error. Please try again."

// Info is a resolved error.
type Info struct {
	Status int
	// Type is the error's type on JSON/CBOR protocols (__type and
	// X-Amzn-Errortype): the shape name of a modeled error, else the code.
	Type string
	// QueryCode and Fault make the X-Amzn-Query-Error header
	// "<QueryCode>;<Fault>" of awsQuery-compatible services.
	QueryCode string
	Fault     string // "Sender" or "Receiver"
	Message   string
	// Shape and Value are the modeled error's shape and struct value (Value
	// is invalid when the error is not modeled or its Go type does not match
	// the shape).
	Shape *shape.Shape
	Value reflect.Value
}

// QueryHeader is the X-Amzn-Query-Error value.
func (i *Info) QueryHeader() string { return i.QueryCode + ";" + i.Fault }

// Resolve resolves err for the request's service and operation. req, its
// Service and its Op may be nil.
func Resolve(req *protocol.Request, err error) Info {
	var me shape.ModeledError
	if errors.As(err, &me) {
		if s := me.ErrorShape(); s != nil {
			return modeled(s, me)
		}
	}
	var se *shape.Error
	if errors.As(err, &se) && se != nil {
		info := Info{Status: se.Status, Type: se.Code, QueryCode: se.Code, Message: se.Message, Fault: fault(se.Sender)}
		if info.Status == 0 {
			info.Status = 500
			if se.Sender {
				info.Status = 400
			}
		}
		if info.Type == "" {
			info.Type, info.QueryCode = "InternalFailure", "InternalFailure"
		}
		// In an awsQuery-compatible service a plain error whose code is the
		// query code of one of the operation's modeled errors is reported as
		// that modeled error's type, so SDKs surface the typed exception.
		if req != nil && req.Service != nil && req.Service.QueryCompatible && req.Op != nil {
			for _, es := range req.Op.Errors {
				if es == nil || es.Exception == nil {
					continue
				}
				if es.Exception.Code == se.Code || (es.Exception.Code == "" && es.Name == se.Code) {
					info.Type = es.Name
					break
				}
			}
		}
		return info
	}
	return Info{Status: 500, Type: "InternalFailure", QueryCode: "InternalFailure", Fault: "Receiver", Message: InternalMessage}
}

func modeled(s *shape.Shape, me shape.ModeledError) Info {
	info := Info{Status: 400, Type: s.Name, QueryCode: s.Name, Fault: "Sender", Shape: s}
	if t := s.Exception; t != nil {
		if t.HTTPStatus != 0 {
			info.Status = t.HTTPStatus
		}
		if t.Code != "" {
			info.QueryCode = t.Code
		}
		info.Fault = fault(t.SenderFault)
	}
	v := reflect.ValueOf(me)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return info
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct && (s.GoType == nil || s.GoType == v.Type()) && v.NumField() >= len(s.Members) {
		info.Value = v
		for i, m := range s.Members {
			n := m.WireName()
			if (n == "message" || n == "Message") && m.Shape.Type == shape.String {
				if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
					info.Message = f.Elem().String()
				}
			}
		}
	}
	return info
}

func fault(sender bool) string {
	if sender {
		return "Sender"
	}
	return "Receiver"
}
