// Command vigil is the Vigil server and its tools: `vigil server` serves the
// AWS APIs, `vigil admin` manages credentials, `vigil version` prints the
// version.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vigilhq/vigil/internal/accounts"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/bench"
	"github.com/vigilhq/vigil/internal/server"
	"github.com/vigilhq/vigil/internal/sns"
	"github.com/vigilhq/vigil/internal/storage"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `usage:
  vigil server [--addr 127.0.0.1:4566] [--data ./vigil-data] [--dev] [--account 000000000000]
               [--smtp-relay HOST:PORT] [--smtp-from ADDRESS]
  vigil admin create-access-key --account ID [--user NAME] [--data ./vigil-data]
  vigil bench put-metric-data --endpoint URL [--workers 4] [--series 1000] [--batch 1000] [--duration 10s] [--requests N] [--gzip]
  vigil bench put-log-events --endpoint URL [--workers 4] [--streams N] [--batch 1000] [--event-bytes 300] [--duration 10s] [--requests N] [--group NAME]
  vigil bench insights --endpoint URL [--group NAME] [--runs 5] [--window 24h] [QUERY ...]   (default: the Logs Insights goals' queries)
  vigil bench null-server [--addr 127.0.0.1:4567]   (answers the workloads' calls at once, doing nothing: their ceiling)
  vigil version`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = runServer(os.Args[2:])
	case "admin":
		err = runAdmin(os.Args[2:])
	case "bench":
		err = runBench(os.Args[2:])
	case "version", "--version":
		fmt.Println("vigil", version)
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil:", err)
		os.Exit(1)
	}
}

func runServer(args []string) error {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:4566", "listen address")
	data := fs.String("data", "./vigil-data", "data directory")
	dev := fs.Bool("dev", false, "accept any access key and enable POST /_vigil/reset (loopback only)")
	account := fs.String("account", accounts.DefaultAccount, "account for unknown access keys in --dev mode")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	smtpRelay := fs.String("smtp-relay", "", "host:port of the SMTP relay for SNS email and email-json subscriptions (none: those are refused)")
	smtpFrom := fs.String("smtp-from", sns.DefaultSMTPFrom, "sender address of SNS email")
	sqsMetrics := fs.Duration("sqs-metrics-interval", time.Minute, "how often AWS/SQS metrics are sampled (AWS: 1m; shorter is for tests)")
	fs.Parse(args)

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	if *sqsMetrics < time.Second {
		return fmt.Errorf("--sqs-metrics-interval must be at least 1s, not %s", *sqsMetrics)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.Start(ctx, server.Options{
		Addr: *addr, DataDir: *data, Dev: *dev, Account: *account, Version: version, Logger: logger,
		SMTPRelay: *smtpRelay, SMTPFrom: *smtpFrom, SQSMetricsEvery: *sqsMetrics,
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

func runAdmin(args []string) error {
	if len(args) == 0 || args[0] != "create-access-key" {
		return fmt.Errorf("unknown admin command\n%s", usage)
	}
	fs := flag.NewFlagSet("create-access-key", flag.ExitOnError)
	account := fs.String("account", "", "12-digit account id the key belongs to (required)")
	user := fs.String("user", "", "IAM user name; empty makes a root key of the account")
	data := fs.String("data", "./vigil-data", "data directory")
	fs.Parse(args[1:])
	if !isAccountID(*account) {
		return fmt.Errorf("--account must be a 12-digit account id, got %q", *account)
	}
	ctx := context.Background()
	db, err := storage.OpenSQL(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := accounts.Open(ctx, db)
	if err != nil {
		return err
	}
	key := auth.NewAccessKey(rand.Reader, *account)
	key.UserName = *user
	key.Created = time.Now().UTC()
	if err := keys.Create(ctx, key); err != nil {
		return err
	}
	fmt.Printf("account:           %s\naccess key id:     %s\nsecret access key: %s\n", key.AccountID, key.AccessKeyID, key.Secret)
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func runBench(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("unknown bench workload\n%s", usage)
	}
	switch args[0] {
	case "put-metric-data":
		return benchPutMetricData(args[1:])
	case "put-log-events":
		return benchPutLogEvents(args[1:])
	case "insights":
		return benchInsights(args[1:])
	case "null-server":
		return benchNullServer(args[1:])
	}
	return fmt.Errorf("unknown bench workload\n%s", usage)
}

// benchNullServer serves bench.NullHandler until the process is stopped:
// driven by a workload (vigil bench …, or the Go benchmarks with
// VIGIL_BENCH_ENDPOINT), it gives the workload's ceiling with the server in
// its own process.
func benchNullServer(args []string) error {
	fs := flag.NewFlagSet("null-server", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:4567", "address to listen on")
	fs.Parse(args)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Println("null server on", ln.Addr())
	return http.Serve(ln, bench.NullHandler())
}

func benchPutMetricData(args []string) error {
	fs := flag.NewFlagSet("put-metric-data", flag.ExitOnError)
	var c bench.PutMetricDataConfig
	fs.StringVar(&c.Endpoint, "endpoint", "http://127.0.0.1:4566", "server URL")
	fs.IntVar(&c.Workers, "workers", 4, "concurrent clients")
	fs.IntVar(&c.Series, "series", 1000, "distinct series")
	fs.IntVar(&c.BatchSize, "batch", 1000, "datums per PutMetricData call")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to run at most")
	fs.IntVar(&c.MaxRequests, "requests", 0, "how many calls at most (0: no limit but the duration)")
	fs.BoolVar(&c.Gzip, "gzip", false, "let the SDK gzip request bodies (its default)")
	fs.Parse(args)
	res, err := bench.PutMetricData(context.Background(), c, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Println(res)
	return nil
}

func benchInsights(args []string) error {
	fs := flag.NewFlagSet("insights", flag.ExitOnError)
	var c bench.InsightsConfig
	fs.StringVar(&c.Endpoint, "endpoint", "http://127.0.0.1:4566", "server URL")
	fs.StringVar(&c.Group, "group", "/vigil/bench", "log group the queries read (fill it with put-log-events)")
	fs.IntVar(&c.Runs, "runs", 5, "runs of each query")
	fs.DurationVar(&c.Window, "window", 24*time.Hour, "the queries' time range, ending now")
	fs.Parse(args)
	c.Queries = fs.Args()
	_, err := bench.Insights(context.Background(), c, os.Stdout)
	return err
}

func benchPutLogEvents(args []string) error {
	fs := flag.NewFlagSet("put-log-events", flag.ExitOnError)
	var c bench.PutLogEventsConfig
	fs.StringVar(&c.Endpoint, "endpoint", "http://127.0.0.1:4566", "server URL")
	fs.IntVar(&c.Workers, "workers", 4, "concurrent clients")
	fs.IntVar(&c.Streams, "streams", 0, "distinct log streams, at least --workers (0: one per worker)")
	fs.IntVar(&c.BatchSize, "batch", 1000, "events per PutLogEvents call (at most 10000)")
	fs.IntVar(&c.EventBytes, "event-bytes", 300, "bytes per log message")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to run at most")
	fs.IntVar(&c.MaxRequests, "requests", 0, "how many calls at most (0: no limit but the duration)")
	fs.StringVar(&c.Group, "group", "/vigil/bench", "log group, created if missing")
	fs.Parse(args)
	res, err := bench.PutLogEvents(context.Background(), c, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Println(res)
	return nil
}
