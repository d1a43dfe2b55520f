package gateway

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Limits on request bodies. The largest documented payloads (PutMetricData,
// PutLogEvents) are about 1 MB; gzip lets a client send more data than that
// in fewer bytes, so the decompressed limit is higher.
const (
	maxWireBody         = 16 << 20
	maxDecompressedBody = 64 << 20
)

// Authenticator verifies a request's signature. payload is the body exactly
// as received (before decompression).
type Authenticator interface {
	Verify(ctx context.Context, r *http.Request, payload []byte) (*auth.Identity, *auth.Failure)
}

// KeyLookup finds the owner of an access key, so that a failed signature
// with a known key can still be audited against its account.
type KeyLookup interface {
	LookupAccessKey(ctx context.Context, id string) (auth.Key, bool, error)
}

// Auditor receives the CloudTrail record of every call that reached an
// operation. Record must not block on I/O.
type Auditor interface {
	Record(ev *audit.Event)
}

// Config is everything the gateway needs; all fields but Reset are required.
type Config struct {
	Services []*Binding
	Auth     Authenticator
	Keys     KeyLookup
	Audit    Auditor
	Clock    clock.Clock
	IDs      ids.Source
	Logger   *slog.Logger
	Version  string
	// Reset wipes all state; set only in dev mode.
	Reset func(ctx context.Context) error
	// RecordDataEvents sends data events (PutMetricData, …) to the auditor
	// too. Off until trails with data-event selectors exist.
	RecordDataEvents bool
}

// Gateway is the http.Handler of the whole API.
type Gateway struct {
	cfg    Config
	router *router
	bufs   sync.Pool
	calls  sync.Pool // *call, see getCall
}

// New builds a gateway.
func New(cfg Config) *Gateway {
	return &Gateway{cfg: cfg, router: newRouter(cfg.Services)}
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_vigil/health":
		g.health(w, r)
		return
	case "/_vigil/reset", "/moto-api/reset":
		g.reset(w, r)
		return
	}
	g.serveAPI(w, r)
}

func (g *Gateway) health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"ok","version":%q}`, g.cfg.Version)
}

func (g *Gateway) reset(w http.ResponseWriter, r *http.Request) {
	if g.cfg.Reset == nil || r.Method != http.MethodPost || !isLoopback(r.RemoteAddr) {
		http.Error(w, `reset is only available with --dev, as a POST from loopback`, http.StatusForbidden)
		return
	}
	if err := g.cfg.Reset(r.Context()); err != nil {
		g.cfg.Logger.Error("reset failed", "err", err)
		http.Error(w, "reset failed", http.StatusInternalServerError)
		return
	}
	g.cfg.Logger.Info("state reset")
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"status":"reset"}`)
}

// call is the state of one API request as it moves through the front door.
type call struct {
	httpReq *http.Request
	wire    []byte // body as received, for the signature
	body    []byte // body after Content-Encoding
	rt      *route
	req     protocol.Request
	resp    protocol.Response
	// release gives back the memory a hot decoder lent the input.
	release func()
}

// queryAction returns an awsQuery request's Action and Version, from the
// URL of a GET or the form body of a POST. Only these two are read here;
// the codec parses the rest.
func (c *call) queryAction() (action, version string) {
	form := string(c.body)
	if c.httpReq.Method == http.MethodGet {
		form = c.httpReq.URL.RawQuery
	}
	return formValue(form, "Action"), formValue(form, "Version")
}

// formValue finds the first value of name in a urlencoded form without
// parsing the whole form.
func formValue(form, name string) string {
	for form != "" {
		var pair string
		pair, form, _ = strings.Cut(form, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			return u
		}
		return v
	}
	return ""
}

func (g *Gateway) serveAPI(w http.ResponseWriter, r *http.Request) {
	now := g.cfg.Clock.Now()
	requestID := g.cfg.IDs.UUID()
	buf := g.getBuf()
	defer g.bufs.Put(buf)
	c := g.getCall(r, w)
	defer g.putCall(c)

	wire, err := readBody(r.Body, buf)
	if err != nil {
		writePlainError(w, requestID, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", err.Error())
		return
	}
	c.wire, c.body = wire, wire
	if encs := r.Header.Get("Content-Encoding"); encs != "" {
		if c.body, err = decode(encs, wire); err != nil {
			writePlainError(w, requestID, http.StatusBadRequest, "SerializationException", err.Error())
			return
		}
	}
	scopeService, scopeRegion := scopeOf(r)
	c.rt = g.router.find(r, c.queryAction, scopeService)
	if c.rt == nil {
		writePlainError(w, requestID, http.StatusNotFound, "UnknownOperationException",
			"Vigil could not tell which service this request is for: send X-Amz-Target, an RPC v2 CBOR path, or Action and Version")
		return
	}
	c.req = protocol.Request{Service: c.rt.b.Model, Op: c.rt.op, Body: c.body, Header: r.Header, URL: r.URL, RequestID: requestID}
	rq := &reqctx.Request{
		Region:    scopeRegion,
		Service:   c.rt.b.Model.ID,
		Operation: c.rt.opName,
		RequestID: requestID,
		SourceIP:  sourceIP(r.RemoteAddr),
		UserAgent: r.Header.Get("User-Agent"),
		Host:      r.Host,
		Time:      now,
		BodySize:  len(c.wire),
	}

	id, fail := g.cfg.Auth.Verify(r.Context(), r, c.wire)
	if fail == nil && scopeService != c.rt.b.Model.SigningName {
		fail = &auth.Failure{Kind: auth.BadSignature, AccessKeyID: id.AccessKeyID,
			Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", c.rt.b.Model.SigningName)}
	}
	if fail != nil {
		aerr := fail.Error(c.rt.codec.Name())
		g.finish(w, c, nil, aerr)
		if c.rt.op != nil && fail.AccessKeyID != "" {
			if key, ok, _ := g.cfg.Keys.LookupAccessKey(r.Context(), fail.AccessKeyID); ok {
				rq.Caller = callerOf(&auth.Identity{AccountID: key.AccountID, AccessKeyID: key.AccessKeyID, UserName: key.UserName})
				g.audit(c, rq, nil, nil, aerr)
			}
		}
		return
	}
	rq.Caller = callerOf(id)
	rq.Region = id.Region
	if c.rt.op == nil {
		g.finish(w, c, nil, unknownOperation(c.rt))
		return
	}
	op := c.rt.op
	var in any
	if op.Input != nil {
		in = reflect.New(op.Input.GoType).Interface()
	}
	out, err := g.invoke(r.Context(), c, rq, in)
	if err == nil && rq.Stream != nil {
		// The call is recorded when the stream starts; it may last hours.
		g.audit(c, rq, in, out, err)
		g.stream(r.Context(), w, c, rq, out)
		return
	}
	if err == nil && rq.FailureMessage != "" {
		c.resp.Header.Set("X-Amzn-Failure-Message", rq.FailureMessage)
	}
	g.finish(w, c, out, err)
	g.audit(c, rq, in, out, err)
}

// invoke decodes, validates and calls the handler, turning a panic into an
// internal failure.
func (g *Gateway) invoke(ctx context.Context, c *call, rq *reqctx.Request, in any) (out any, err error) {
	if !g.decodeHot(c, in) {
		if err := c.rt.codec.Decode(&c.req, in); err != nil {
			return nil, err
		}
		if in != nil {
			if vs := shape.Validate(c.rt.op.Input, reflect.ValueOf(in)); len(vs) > 0 {
				if err := validationError(c.rt.b.Model, vs); err != nil {
					return nil, err
				}
			}
		}
	}
	defer func() {
		if p := recover(); p != nil {
			g.cfg.Logger.Error("handler panicked", "request_id", rq.RequestID, "service", rq.Service,
				"operation", rq.Operation, "panic", fmt.Sprint(p))
			out, err = nil, errInternal
		}
	}()
	return c.rt.b.Invoke(reqctx.With(ctx, rq), c.rt.op, in)
}

// decodeHot decodes and validates in with the binding's hand-tuned decoder
// for the route's operation and protocol, if it has one and it is sure; on
// false in is as new.
func (g *Gateway) decodeHot(c *call, in any) bool {
	hot := c.rt.b.Hot[HotOp{c.rt.codec.Name(), c.rt.opName}]
	if hot == nil || in == nil {
		return false
	}
	release, ok := hot(c.body, in)
	if ok {
		c.release = release
		return true
	}
	reflect.ValueOf(in).Elem().SetZero()
	if release != nil {
		release()
	}
	return false
}

var errInternal = &shape.Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: 500}

func (g *Gateway) finish(w http.ResponseWriter, c *call, out any, err error) {
	if err != nil {
		var se *shape.Error
		var me shape.ModeledError
		if !errors.As(err, &se) && !errors.As(err, &me) {
			g.cfg.Logger.Error("handler failed", "request_id", c.req.RequestID, "service", c.rt.b.Model.ID,
				"operation", c.rt.opName, "err", err)
		}
		c.rt.codec.EncodeError(&c.req, err, &c.resp)
	} else {
		c.rt.codec.EncodeOutput(&c.req, out, &c.resp)
	}
	h := w.Header() // the codec wrote its headers here: see getCall
	if vs := h["X-Amzn-Requestid"]; len(vs) != 1 || vs[0] != c.req.RequestID {
		h["X-Amzn-Requestid"] = []string{c.req.RequestID}
	}
	h["Content-Length"] = []string{strconv.Itoa(c.resp.Body.Len())}
	status := c.resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(c.resp.Body.Bytes())
}

func (g *Gateway) audit(c *call, rq *reqctx.Request, in, out any, err error) {
	if c.rt.op == nil {
		return
	}
	if !g.cfg.RecordDataEvents && !audit.Classify(c.rt.b.Model.ID, c.rt.op.Name).Management {
		return
	}
	g.cfg.Audit.Record(audit.NewEvent(audit.Call{
		Request: rq, Service: c.rt.b.Model, Operation: c.rt.op,
		Input: in, Output: out, Err: err, EventID: g.cfg.IDs.UUID(),
	}))
}

func unknownOperation(rt *route) error {
	if rt.codec == codecQuery {
		return &shape.Error{Code: "InvalidAction", Status: 400, Sender: true,
			Message: fmt.Sprintf("The action %s is not valid for this web service.", rt.opName)}
	}
	return &shape.Error{Code: "UnknownOperationException", Status: 400, Sender: true,
		Message: fmt.Sprintf("Operation %s is not known to %s.", rt.opName, rt.b.Model.ServiceID)}
}

func callerOf(id *auth.Identity) reqctx.Caller {
	return reqctx.Caller{
		AccountID:   id.AccountID,
		AccessKeyID: id.AccessKeyID,
		ARN:         id.Principal,
		PrincipalID: id.PrincipalID,
		Type:        id.Type,
		UserName:    id.UserName,
	}
}

// maxPooledResponse bounds the response buffers kept for reuse, so that one
// large reply does not stay in memory for good.
const maxPooledResponse = 1 << 20

// getCall returns the state for a new call on w. It is recycled (putCall)
// so that the response body's buffer is reused: encoding a reply into a
// buffer grown from nothing, then copying it, was 30% of the bytes an SQS
// call allocated (BenchmarkSQSServer). The codec writes its headers
// straight into w's, which only finish and stream write out, once.
func (g *Gateway) getCall(r *http.Request, w http.ResponseWriter) *call {
	c, _ := g.calls.Get().(*call)
	if c == nil {
		c = new(call)
	}
	c.httpReq = r
	c.resp.Header = w.Header()
	return c
}

// putCall recycles c. Nothing may hold on to c, its request body or its
// response body afterwards (ResponseWriter.Write does not retain what it is
// given).
func (g *Gateway) putCall(c *call) {
	if c.release != nil {
		c.release()
	}
	body := c.resp.Body
	*c = call{}
	if body.Cap() <= maxPooledResponse {
		body.Reset()
		c.resp.Body = body
	}
	g.calls.Put(c)
}

func (g *Gateway) getBuf() *bytes.Buffer {
	if b, ok := g.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

func readBody(body io.Reader, buf *bytes.Buffer) ([]byte, error) {
	n, err := buf.ReadFrom(io.LimitReader(body, maxWireBody+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if n > maxWireBody {
		return nil, fmt.Errorf("request body is larger than %d bytes", maxWireBody)
	}
	return buf.Bytes(), nil
}

// decode undoes Content-Encoding. Only gzip (what the SDKs and the CloudWatch
// agent send) and identity are accepted.
func decode(encodings string, body []byte) ([]byte, error) {
	for _, enc := range strings.Split(encodings, ",") {
		switch strings.TrimSpace(strings.ToLower(enc)) {
		case "", "identity":
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return nil, fmt.Errorf("request body is not valid gzip: %w", err)
			}
			out, err := io.ReadAll(io.LimitReader(zr, maxDecompressedBody+1))
			if err != nil {
				return nil, fmt.Errorf("request body is not valid gzip: %w", err)
			}
			if len(out) > maxDecompressedBody {
				return nil, fmt.Errorf("decompressed request body is larger than %d bytes", maxDecompressedBody)
			}
			body = out
		default:
			return nil, fmt.Errorf("Content-Encoding %q is not supported; use gzip", enc)
		}
	}
	return body, nil
}

// scopeOf reads the service and region of the SigV4 credential scope
// (AKID/date/region/service/aws4_request) from the Authorization header or
// a presigned URL. Verification happens later; this only routes.
func scopeOf(r *http.Request) (service, region string) {
	cred := ""
	if a := r.Header.Get("Authorization"); a != "" {
		if i := strings.Index(a, "Credential="); i >= 0 {
			cred = a[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else if r.URL.RawQuery != "" {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	// AKID/date/region/service/aws4_request: the key id may not contain a
	// slash, so count from the end.
	rest, ok := strings.CutSuffix(cred, "/aws4_request")
	if !ok {
		return "", ""
	}
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "", ""
	}
	service, rest = rest[i+1:], rest[:i]
	i = strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "", ""
	}
	return service, rest[i+1:]
}

func sourceIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

func isLoopback(remoteAddr string) bool {
	ip := net.ParseIP(sourceIP(remoteAddr))
	return ip != nil && ip.IsLoopback()
}

// writePlainError answers a request that no service's protocol can be
// chosen for, as JSON.
func writePlainError(w http.ResponseWriter, requestID string, status int, code, msg string) {
	body, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	w.Write(body)
}
