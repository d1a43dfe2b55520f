// Package server assembles a running Vigil: it opens the data directory,
// makes sure credentials exist, binds every generated service model to its
// handler, and serves the gateway over HTTP until shut down. It is the one
// place that knows every service; tests start it in-process or as the vigil
// binary.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/vigilhq/vigil/internal/accounts"
	"github.com/vigilhq/vigil/internal/alarms"
	cloudtrailapi "github.com/vigilhq/vigil/internal/api/cloudtrail"
	cloudtraildataapi "github.com/vigilhq/vigil/internal/api/cloudtraildata"
	cloudwatchapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	configserviceapi "github.com/vigilhq/vigil/internal/api/configservice"
	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	stsapi "github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/cloudtrail"
	"github.com/vigilhq/vigil/internal/cloudwatch"
	"github.com/vigilhq/vigil/internal/events"
	"github.com/vigilhq/vigil/internal/gateway"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/logstore"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/protocol/awsjson"
	"github.com/vigilhq/vigil/internal/protocol/rpcv2cbor"
	"github.com/vigilhq/vigil/internal/scheduler"
	"github.com/vigilhq/vigil/internal/sns"
	"github.com/vigilhq/vigil/internal/sqs"
	"github.com/vigilhq/vigil/internal/storage"
	"github.com/vigilhq/vigil/internal/sts"
)

// Options configure a server.
type Options struct {
	Addr    string // listen address; "127.0.0.1:0" picks a free port
	DataDir string
	// Dev accepts any access key (signatures must still be well formed),
	// maps unknown keys to Account, and enables the reset endpoints.
	Dev     bool
	Account string // dev mode's account for unknown keys
	Version string
	Logger  *slog.Logger
	Clock   clock.Clock // default clock.System{}
	IDs     ids.Source  // default crypto-random
	// SMTPRelay (host:port) carries SNS email and email-json deliveries;
	// empty refuses those subscriptions. SMTPFrom is their sender.
	SMTPRelay, SMTPFrom string
	// SQSMetricsEvery is how often AWS/SQS metrics are sampled: one minute
	// when zero, as AWS; tests set it shorter.
	SQSMetricsEvery time.Duration
}

// Server is a running Vigil.
type Server struct {
	opts     Options
	store    *storage.Store
	recorder *audit.Recorder
	metrics  *metricstore.Store
	logstore *logstore.Store
	logs     *logs.Service
	sqs      *sqs.Service
	sns      *sns.Service
	outbox   *outbox.Outbox // durable deliveries (SNS http/https/email, EventBridge targets)
	alarms   *alarms.Service
	events   *events.Service
	evMetric *events.Metrics // AWS/Events metrics, flushed into metrics
	sqsMet   *sqs.Metrics    // AWS/SQS metrics, sampled into metrics
	snsMet   *sns.Metrics    // AWS/SNS metrics, flushed into metrics
	insights *insights.Manager
	sched    *scheduler.Scheduler
	http     *http.Server
	ln       net.Listener
	served   chan error
}

// Start opens the data directory and starts serving. The caller must call
// Shutdown.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.IDs == nil {
		o.IDs = ids.NewRandom(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Account == "" {
		o.Account = accounts.DefaultAccount
	}
	// Whether the address is loopback decides what may start, so it is
	// settled before any socket is opened.
	addr, err := net.ResolveTCPAddr("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %s: %w", o.Addr, err)
	}
	loopback := addr.IP != nil && addr.IP.IsLoopback()
	if o.Dev && !loopback {
		return nil, fmt.Errorf("--dev accepts any access key, so it only listens on a loopback address, not %s", o.Addr)
	}
	st, err := storage.Open(o.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, store: st, served: make(chan error, 1)}
	if err := s.init(ctx, loopback); err != nil {
		return nil, errors.Join(err, s.closeStores())
	}
	if s.ln, err = net.ListenTCP("tcp", addr); err != nil {
		s.closeStores()
		return nil, fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	ln := s.ln
	s.sns.SetServerHost(ln.Addr().String())
	s.sched.Start(time.Second)
	s.alarms.Start()
	s.events.Start()
	go func() { s.served <- s.http.Serve(ln) }()
	o.Logger.Info("vigil listening", "addr", ln.Addr().String(), "data", o.DataDir, "dev", o.Dev, "version", o.Version)
	return s, nil
}

func (s *Server) init(ctx context.Context, loopback bool) error {
	o := s.opts
	keys, err := accounts.Open(ctx, s.store.SQL)
	if err != nil {
		return err
	}
	n, err := keys.Count(ctx)
	if err != nil {
		return err
	}
	switch {
	case n == 0 && loopback:
		if _, err := keys.Bootstrap(ctx, o.Clock.Now()); err != nil {
			return err
		}
		o.Logger.Info("no access keys configured: created account " + accounts.DefaultAccount +
			" with access key id 'test' and secret 'test' (loopback only; add real keys with `vigil admin create-access-key --account ID`)")
	case n == 0 && !o.Dev:
		return errors.New("no access keys are configured and this address is reachable from other machines: " +
			"create one first with `vigil admin create-access-key --account 123456789012 --data " + o.DataDir + "`")
	}
	if o.Dev {
		o.Logger.Warn("dev mode: any access key is accepted and POST /_vigil/reset wipes all state; never expose this server")
	}

	s.metrics, err = metricstore.Open(s.store.Pebble, filepath.Join(o.DataDir, "metrics"), metricstore.Options{Clock: o.Clock, Logger: o.Logger})
	if err != nil {
		return fmt.Errorf("open metrics store: %w", err)
	}
	s.logstore, err = logstore.Open(filepath.Join(o.DataDir, "logs"), logstore.Options{Clock: o.Clock, Logger: o.Logger})
	if err != nil {
		return fmt.Errorf("open log store: %w", err)
	}
	engine := insights.NewEngine(s.logstore, o.Clock)
	s.insights = insights.NewManager(engine, insights.ManagerOptions{Clock: o.Clock, IDs: o.IDs, Logger: o.Logger})
	s.logs, err = logs.New(ctx, logs.Options{DB: s.store.SQL, Events: s.logstore, Metrics: s.metrics, Clock: o.Clock, IDs: o.IDs, Logger: o.Logger,
		Queries: s.insights, CheckQuery: insights.Unsupported, Fields: engine, IndexScanner: engine})
	if err != nil {
		return fmt.Errorf("open logs catalog: %w", err)
	}
	s.sqs, err = sqs.New(ctx, sqs.Options{DB: s.store.SQL, Store: sqs.NewPebbleStore(s.store.Pebble), Clock: o.Clock, IDs: o.IDs, Logger: o.Logger})
	if err != nil {
		return fmt.Errorf("open sqs queues: %w", err)
	}
	s.sns, err = sns.New(ctx, sns.Options{DB: s.store.SQL, Clock: o.Clock, IDs: o.IDs, Logger: o.Logger, Queues: s.sqs,
		SigningKeyFile: filepath.Join(o.DataDir, "sns-signing.pem"), SMTPRelay: o.SMTPRelay, SMTPFrom: o.SMTPFrom})
	if err != nil {
		return fmt.Errorf("open sns topics: %w", err)
	}
	s.events, err = events.New(ctx, events.Options{DB: s.store.SQL, Clock: o.Clock, IDs: o.IDs, Logger: o.Logger, Queues: s.sqs, Topics: s.sns, Logs: s.logs,
		Archive: s.store.Pebble})
	if err != nil {
		return fmt.Errorf("open eventbridge: %w", err)
	}
	s.outbox, err = outbox.Open(filepath.Join(o.DataDir, "outbox"), outbox.Options{Clock: o.Clock, Logger: o.Logger,
		// A delivery mostly waits on an fsync (an SQS target's) or a remote
		// endpoint: many in flight keep the disk's group commits full.
		Workers: 256, PerKind: 128},
		map[string]outbox.Deliverer{sns.KindHTTP: s.sns, sns.KindEmail: s.sns, events.KindTarget: s.events})
	if err != nil {
		return fmt.Errorf("open outbox: %w", err)
	}
	s.sns.SetOutbox(s.outbox)
	s.events.SetOutbox(s.outbox)
	s.evMetric = events.NewMetrics(s.metrics, events.MetricsOptions{Clock: o.Clock, Logger: o.Logger})
	s.events.SetMetrics(s.evMetric)
	s.sqsMet = sqs.NewMetrics(s.sqs, s.metrics, sqs.MetricsOptions{Clock: o.Clock, Logger: o.Logger, Every: o.SQSMetricsEvery})
	s.snsMet = sns.NewMetrics(s.metrics, sns.MetricsOptions{Clock: o.Clock, Logger: o.Logger})
	s.sns.SetMetrics(s.snsMet)
	cw := cloudwatch.New(s.metrics, o.Clock)
	s.alarms, err = alarms.New(ctx, alarms.Options{DB: s.store.SQL, Clock: o.Clock, Logger: o.Logger, Data: cw, Notifier: s.sns, Events: s.events})
	if err != nil {
		return fmt.Errorf("open alarms: %w", err)
	}
	cw.WithAlarms(s.alarms)
	auditStore := audit.NewPebbleStore(s.store.Pebble)
	s.recorder = audit.NewRecorder(auditStore, audit.RecorderOptions{Clock: o.Clock, Logger: o.Logger, Management: s.events.APICalls()})
	s.sched = scheduler.New(o.Clock, o.Logger)
	s.sched.Add(scheduler.Job{Name: "audit-retention", Every: time.Hour, Run: func(ctx context.Context) error {
		n, err := s.recorder.SweepOnce(ctx)
		if n > 0 {
			o.Logger.Info("event history retention", "deleted", n)
		}
		return err
	}})
	s.sched.Add(scheduler.Job{Name: "metrics-maintenance", Every: time.Minute, Run: s.metrics.Maintain})
	s.sched.Add(scheduler.Job{Name: "logs-maintenance", Every: time.Minute, Run: s.logstore.Maintain})
	s.sched.Add(scheduler.Job{Name: "logs-stream-stats", Every: time.Minute, Run: s.logs.FlushStats})
	s.sched.Add(scheduler.Job{Name: "logs-retention", Every: time.Hour, Run: s.logs.SweepRetention})
	s.sched.Add(scheduler.Job{Name: "insights-results", Every: time.Hour, Run: s.insights.Sweep})
	s.sched.Add(scheduler.Job{Name: "sqs-retention", Every: time.Minute, Run: s.sqs.SweepRetention})
	s.sched.Add(scheduler.Job{Name: "alarm-history-retention", Every: time.Hour, Run: s.alarms.SweepHistory})
	s.sched.Add(scheduler.Job{Name: "events-archive-retention", Every: time.Hour, Run: s.events.SweepArchives})

	cfg := gateway.Config{
		Services: bindings(auditStore, cw, s.logs, s.sqs, s.sns, s.events, o.Clock),
		Auth:     &auth.Verifier{Keys: keys, Clock: o.Clock, Dev: o.Dev, DevAccount: o.Account},
		Keys:     keys,
		Audit:    s.recorder,
		Clock:    o.Clock,
		IDs:      o.IDs,
		Logger:   o.Logger,
		Version:  o.Version,
	}
	if o.Dev {
		cfg.Reset = s.reset
	}
	s.http = &http.Server{
		Handler:           withSigningCert(gateway.New(cfg), s.sns.CertHandler(), s.sns.PublicHandler()),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// bindings ties every service model to its handler. Services whose issue has
// not landed yet are bound to their generated Unimplemented handler, so each
// of their operations answers NotImplemented.
func bindings(auditStore audit.Store, cw *cloudwatch.Service, logsSvc *logs.Service, sqsSvc *sqs.Service, snsSvc *sns.Service, eventsSvc *events.Service, clk clock.Clock) []*gateway.Binding {
	ct := cloudtrail.New(auditStore, clk)
	return []*gateway.Binding{
		withHot(bind[cloudwatchapi.Handler](cloudwatchapi.Model, cw, cloudwatchapi.Invoke), cloudwatchHot),
		withHot(bind[logsapi.Handler](logsapi.Model, logsSvc, logsapi.Invoke), logsHot),
		withHot(bind[eventsapi.Handler](eventsapi.Model, eventsSvc, eventsapi.Invoke), eventsHot),
		bind[cloudtrailapi.Handler](cloudtrailapi.Model, ct, cloudtrailapi.Invoke),
		bind[cloudtraildataapi.Handler](cloudtraildataapi.Model, cloudtraildataapi.Unimplemented{}, cloudtraildataapi.Invoke),
		bind[configserviceapi.Handler](configserviceapi.Model, configserviceapi.Unimplemented{}, configserviceapi.Invoke),
		bind[snsapi.Handler](snsapi.Model, snsSvc, snsapi.Invoke),
		bind[sqsapi.Handler](sqsapi.Model, sqsSvc, sqsapi.Invoke),
		bind[stsapi.Handler](stsapi.Model, sts.Service{}, stsapi.Invoke),
	}
}

func bind[H any](m *shape.Service, h H, invoke func(context.Context, H, *shape.Operation, any) (any, error)) *gateway.Binding {
	return &gateway.Binding{Model: m, Invoke: func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return invoke(ctx, h, op, in)
	}}
}

// cloudwatchHot is PutMetricData's fast path as the Go SDK sends it (RPC v2
// CBOR): the hand-tuned decoder, then the model's constraints on the typed
// value; the handler's rules run as for every other call.
var cloudwatchHot = map[gateway.HotOp]gateway.HotDecoder{
	{Protocol: "rpcv2Cbor", Operation: "PutMetricData"}: func(body []byte, in any) (func(), bool) {
		p := in.(*cloudwatchapi.PutMetricDataInput)
		release, ok := rpcv2cbor.DecodePutMetricData(body, p)
		return release, ok && cloudwatch.ValidPutMetricData(p)
	},
}

// logsHot is PutLogEvents' fast path as the SDKs send it (awsJson 1.1):
// the hand-tuned decoder, then the model's constraints on the typed value;
// the handler's rules run as for every other call.
var logsHot = map[gateway.HotOp]gateway.HotDecoder{
	{Protocol: "awsJson1_1", Operation: "PutLogEvents"}: func(body []byte, in any) (func(), bool) {
		p := in.(*logsapi.PutLogEventsRequest)
		return nil, awsjson.DecodePutLogEvents(body, p) && logs.ValidPutLogEvents(p)
	},
}

func withHot(b *gateway.Binding, hot map[gateway.HotOp]gateway.HotDecoder) *gateway.Binding {
	b.Hot = hot
	return b
}

// reset wipes all state (dev mode). Audit events still queued are written
// first so that none lands after the wipe.
func (s *Server) reset(ctx context.Context) error {
	if err := s.recorder.Flush(ctx); err != nil {
		return err
	}
	if err := s.metrics.Reset(ctx); err != nil {
		return err
	}
	if err := s.logstore.Reset(ctx); err != nil {
		return err
	}
	if err := s.store.Reset(ctx); err != nil {
		return err
	}
	s.logs.Reset()
	s.sqs.Reset()
	s.sns.Reset()
	if err := s.outbox.Reset(ctx); err != nil {
		return err
	}
	s.alarms.Reset()
	s.events.Reset()
	s.insights.Reset()
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting requests, waits for those in flight, makes every
// recorded audit event durable and closes the data directory.
func (s *Server) Shutdown(ctx context.Context) error {
	s.logs.Close() // Live Tail streams would hold the HTTP server open
	s.sqs.Close()  // so would long polls
	err := s.http.Shutdown(ctx)
	if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	s.sched.Close()
	s.alarms.Close() // evaluation and actions write to the stores
	s.events.Close() // scheduled rules enqueue into the outbox
	err = errors.Join(err, s.closeStores())
	return err
}

// closeStores makes every recorded audit event durable and closes the
// engines and the data directory; what init did not open is skipped.
func (s *Server) closeStores() error {
	var errs []error
	if s.recorder != nil {
		errs = append(errs, s.recorder.Close()) // its last API calls go to EventBridge through the outbox
	}
	if s.outbox != nil {
		errs = append(errs, s.outbox.Close()) // attempts read the queues' store
	}
	s.evMetric.Close() // after the outbox: its last deliveries' datapoints
	s.snsMet.Close()
	s.sqsMet.Close()
	if s.metrics != nil {
		errs = append(errs, s.metrics.Close())
	}
	if s.insights != nil {
		s.insights.Close() // queries read the log store
	}
	if s.logs != nil {
		errs = append(errs, s.logs.FlushStats(context.Background()))
	}
	if s.logstore != nil {
		errs = append(errs, s.logstore.Close())
	}
	return errors.Join(append(errs, s.store.Close())...)
}

// withSigningCert serves SNS's signing certificate at the path notifications
// name in SigningCertURL, and the unsigned GETs of SubscribeURLs and
// UnsubscribeURLs (sns.PublicRequest), unauthenticated as AWS serves its
// own; every other request goes to the gateway.
func withSigningCert(gw, cert, public http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == sns.CertPath {
			cert.ServeHTTP(w, r)
			return
		}
		if sns.PublicRequest(r) {
			public.ServeHTTP(w, r)
			return
		}
		gw.ServeHTTP(w, r)
	})
}
