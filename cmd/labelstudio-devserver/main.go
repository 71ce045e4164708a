// Command labelstudio-devserver runs the Label Studio stand-in server
// (internal/devserver) on a local address. Flags override Label Studio's own
// environment variables, which are read as LABEL_STUDIO_<NAME>, then
// HEARTEX_<NAME>, then <NAME>.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "labelstudio-devserver:", err)
		os.Exit(1)
	}
}

// lookupEnv reads a Label Studio setting the way Label Studio does.
func lookupEnv(name string) (string, bool) {
	for _, key := range []string{"LABEL_STUDIO_" + name, "HEARTEX_" + name, name} {
		if v, ok := os.LookupEnv(key); ok {
			return v, true
		}
	}
	return "", false
}

// envBool is Label Studio's get_bool_env: 1/true/yes/on are true.
func envBool(name string, def bool) (bool, error) {
	v, ok := lookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes", "y", "on":
		return true, nil
	case "0", "false", "no", "n", "off":
		return false, nil
	}
	return def, fmt.Errorf("%s: %q is not a boolean", name, v)
}

// envSeconds is a float number of seconds, as ml/api_connector.py reads
// its ML_TIMEOUT_* settings.
func envSeconds(name string, def time.Duration) (time.Duration, error) {
	v, ok := lookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return def, fmt.Errorf("%s: %q is not a positive number of seconds", name, v)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// envInt reads an integer setting, as Label Studio's int(get_env(...)).
func envInt(name string, def int) (int, error) {
	v, ok := lookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return def, fmt.Errorf("%s: %q is not an integer", name, v)
	}
	return n, nil
}

func envString(name, def string) string {
	if v, ok := lookupEnv(name); ok {
		return v
	}
	return def
}

// options is what the command line and the environment ask for.
type options struct {
	cfg      devserver.Config
	addr     string
	printPAT bool
	// tlsCert and tlsKey, when set, make the server speak HTTPS.
	tlsCert, tlsKey string
	// responseDelay is added to every response, to stand in for a remote
	// server in benchmarks.
	responseDelay time.Duration
}

// parseOptions reads Label Studio's environment variables, then the flags,
// which win.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	cfg := devserver.DefaultConfig()
	var err error
	if cfg.LegacyTokensEnabled, err = envBool("ENABLE_LEGACY_API_TOKEN", cfg.LegacyTokensEnabled); err != nil {
		return options{}, err
	}
	if cfg.LocalFilesServingEnabled, err = envBool("LOCAL_FILES_SERVING_ENABLED", cfg.LocalFilesServingEnabled); err != nil {
		return options{}, err
	}
	if cfg.EnableLocalFilesStorage, err = envBool("ENABLE_LOCAL_FILES_STORAGE", cfg.EnableLocalFilesStorage); err != nil {
		return options{}, err
	}
	if cfg.SyncOnTargetStorageCreation, err = envBool("SYNC_ON_TARGET_STORAGE_CREATION", cfg.SyncOnTargetStorageCreation); err != nil {
		return options{}, err
	}
	// 500 envelopes carry the traceback only with both on, as in Label Studio.
	debug, err := envBool("DEBUG", true)
	if err != nil {
		return options{}, err
	}
	modal, err := envBool("DEBUG_MODAL_EXCEPTIONS", true)
	if err != nil {
		return options{}, err
	}
	cfg.HideExceptionInfo = !debug || !modal
	cfg.UserToken = envString("USER_TOKEN", "")
	cfg.LocalFilesDocumentRoot = envString("LOCAL_FILES_DOCUMENT_ROOT", cfg.LocalFilesDocumentRoot)
	cfg.AzureAccountName = envString("AZURE_BLOB_ACCOUNT_NAME", "")
	cfg.AzureAccountKey = envString("AZURE_BLOB_ACCOUNT_KEY", "")
	trusted := envString("S3_TRUSTED_STORAGE_DOMAINS", "")
	cfg.Hostname = envString("HOST", "")
	for _, setting := range []struct {
		name   string
		target *time.Duration
		def    time.Duration
	}{
		{"ML_CONNECTION_TIMEOUT", &cfg.MLConnectionTimeout, time.Second},
		{"ML_TIMEOUT_HEALTH", &cfg.MLHealthTimeout, time.Second},
		{"ML_TIMEOUT_SETUP", &cfg.MLSetupTimeout, 3 * time.Second},
		{"WEBHOOK_TIMEOUT", &cfg.WebhookTimeout, cfg.WebhookTimeout},
	} {
		if *setting.target, err = envSeconds(setting.name, setting.def); err != nil {
			return options{}, err
		}
	}

	if cfg.WebhookMaxConsecutiveFailures, err = envInt("WEBHOOK_MAX_CONSECUTIVE_FAILURES", cfg.WebhookMaxConsecutiveFailures); err != nil {
		return options{}, err
	}

	fs := flag.NewFlagSet("labelstudio-devserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: labelstudio-devserver [flags]\n\nA stand-in for Label Studio's storage, project, task, token and version API.\n"+
			"Environment (LABEL_STUDIO_<NAME>, HEARTEX_<NAME> or <NAME>): USER_TOKEN, ENABLE_LEGACY_API_TOKEN,\n"+
			"LOCAL_FILES_SERVING_ENABLED, LOCAL_FILES_DOCUMENT_ROOT, ENABLE_LOCAL_FILES_STORAGE,\n"+
			"SYNC_ON_TARGET_STORAGE_CREATION, AZURE_BLOB_ACCOUNT_NAME, AZURE_BLOB_ACCOUNT_KEY,\n"+
			"S3_TRUSTED_STORAGE_DOMAINS, DEBUG, DEBUG_MODAL_EXCEPTIONS, HOST, ML_CONNECTION_TIMEOUT,\n"+
			"ML_TIMEOUT_HEALTH, ML_TIMEOUT_SETUP, WEBHOOK_TIMEOUT, WEBHOOK_MAX_CONSECUTIVE_FAILURES.\n"+
			"Flags override them.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on (port 0 picks a free port)")
	fs.StringVar(&cfg.Version, "version", cfg.Version, "Label Studio `release` reported by /api/version and in error envelopes")
	fs.StringVar(&cfg.Edition, "edition", cfg.Edition, "`community` or enterprise (enterprise adds the storage kinds s3s, gcswif, gcs_sa, azure_spi and databricks)")
	fs.StringVar(&cfg.UserToken, "user-token", cfg.UserToken, "bootstrap legacy API `token` (LABEL_STUDIO_USER_TOKEN; random when empty)")
	fs.BoolVar(&cfg.LegacyTokensEnabled, "enable-legacy-api-token", cfg.LegacyTokensEnabled, "accept legacy 'Token <t>' authentication (LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN)")
	fs.DurationVar(&cfg.AccessTokenTTL, "access-token-ttl", cfg.AccessTokenTTL, "lifetime of access tokens from /api/token/refresh/")
	fs.BoolVar(&cfg.EnableLocalFilesStorage, "enable-local-files-storage", cfg.EnableLocalFilesStorage, "serve the localfiles storage routes (ENABLE_LOCAL_FILES_STORAGE)")
	fs.BoolVar(&cfg.LocalFilesServingEnabled, "local-files-serving-enabled", cfg.LocalFilesServingEnabled, "allow local-files storages (LOCAL_FILES_SERVING_ENABLED)")
	fs.StringVar(&cfg.LocalFilesDocumentRoot, "local-files-document-root", cfg.LocalFilesDocumentRoot, "`directory` every local-files path must be below (LOCAL_FILES_DOCUMENT_ROOT)")
	fs.StringVar(&cfg.GCSEndpoint, "gcs-endpoint", cfg.GCSEndpoint, "GCS JSON API `URL`, e.g. of fake-gcs-server (Label Studio hard-wires Google's)")
	fs.StringVar(&cfg.AzureEndpoint, "azure-endpoint", cfg.AzureEndpoint, "blob service `URL` with {account}, e.g. http://127.0.0.1:10000/{account} (Azurite)")
	fs.StringVar(&cfg.AzureAccountName, "azure-account-name", cfg.AzureAccountName, "fallback Azure account `name` (AZURE_BLOB_ACCOUNT_NAME)")
	fs.StringVar(&cfg.AzureAccountKey, "azure-account-key", cfg.AzureAccountKey, "fallback Azure account `key` (AZURE_BLOB_ACCOUNT_KEY)")
	fs.StringVar(&trusted, "s3-trusted-storage-domains", trusted, "comma-separated S3 endpoint `domains` whose errors are shown (S3_TRUSTED_STORAGE_DOMAINS)")
	fs.StringVar(&cfg.SyncMode, "sync-mode", cfg.SyncMode, "inline (sync finishes inside the request) or queued (worker pool)")
	fs.IntVar(&cfg.SyncWorkers, "sync-workers", cfg.SyncWorkers, "worker pool size in queued mode")
	fs.DurationVar(&cfg.SyncObjectDelay, "sync-object-delay", cfg.SyncObjectDelay, "extra delay per object synced, to make syncs slow on purpose")
	fs.BoolVar(&cfg.SyncOnTargetStorageCreation, "sync-on-target-storage-creation", cfg.SyncOnTargetStorageCreation, "sync an export storage right after creating it (SYNC_ON_TARGET_STORAGE_CREATION)")
	fs.DurationVar(&cfg.InProgressTimer, "in-progress-timer", cfg.InProgressTimer, "ping interval of running syncs; no ping for 5x this marks them failed (STORAGE_IN_PROGRESS_TIMER)")
	fs.DurationVar(&cfg.WebhookTimeout, "webhook-timeout", cfg.WebhookTimeout, "connect and read timeout of a webhook delivery (WEBHOOK_TIMEOUT, seconds)")
	fs.IntVar(&cfg.WebhookMaxConsecutiveFailures, "webhook-max-consecutive-failures", cfg.WebhookMaxConsecutiveFailures, "failed deliveries in a row that switch a webhook off; 0 never (WEBHOOK_MAX_CONSECUTIVE_FAILURES)")
	fs.BoolVar(&cfg.DevHooks, "dev-hooks", cfg.DevHooks, "enable the /_dev/ test hooks (faults, request counts, lost jobs, annotations)")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "`directory` to keep state in across restarts (memory only when empty)")
	printPAT := fs.Bool("print-pat", false, "print a fresh personal access token as a line PAT=<token> once ready")
	tlsCert := fs.String("tls-cert", "", "PEM certificate `file`: serve HTTPS (with -tls-key)")
	tlsKey := fs.String("tls-key", "", "PEM private key `file` of -tls-cert")
	responseDelay := fs.Duration("response-delay", 0, "extra delay before every response, to stand in for a remote server")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	for _, d := range strings.Split(trusted, ",") {
		if d = strings.TrimSpace(d); d != "" {
			cfg.S3TrustedDomains = append(cfg.S3TrustedDomains, d)
		}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return options{}, errors.New("-tls-cert and -tls-key go together")
	}
	return options{cfg: cfg, addr: *addr, printPAT: *printPAT, tlsCert: *tlsCert, tlsKey: *tlsKey, responseDelay: *responseDelay}, nil
}

// run serves until ctx ends, then shuts down cleanly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	srv, err := devserver.New(opts.cfg)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", opts.addr)
	if err != nil {
		_ = srv.Close()
		return err
	}
	conns := &connectionCounter{}
	handler := srv.Handler()
	if opts.cfg.DevHooks {
		handler = conns.serveCounts(handler)
	}
	if opts.responseDelay > 0 {
		handler = delayed(handler, opts.responseDelay)
	}
	httpServer := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ConnState: conns.connState}
	scheme := "http"
	if opts.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(opts.tlsCert, opts.tlsKey)
		if err != nil {
			_ = listener.Close()
			_ = srv.Close()
			return fmt.Errorf("loading the TLS certificate: %w", err)
		}
		tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		tlsConfig.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
			conns.handshakes.Add(1) // one ClientHello is one handshake
			return nil, nil
		}
		listener = tls.NewListener(listener, tlsConfig)
		scheme = "https"
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(listener) }()

	if opts.printPAT {
		pat, err := srv.MintPersonalAccessToken()
		if err != nil {
			_ = httpServer.Close()
			_ = srv.Close()
			return err
		}
		fmt.Fprintf(stdout, "PAT=%s\n", pat)
	}
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, listener.Addr())
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = httpServer.Shutdown(shutdownCtx)
		cancel()
	}
	if closeErr := srv.Close(); err == nil || errors.Is(err, http.ErrServerClosed) {
		err = closeErr
	}
	return err
}

// connectionCounter counts the connections and TLS handshakes the server
// accepted, for benchmarks that check a client's connection reuse.
type connectionCounter struct {
	opened, handshakes atomic.Int64
}

func (c *connectionCounter) connState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		c.opened.Add(1)
	}
}

// serveCounts answers GET /_dev/connections with the counts and DELETE with
// a reset; everything else goes to next.
func (c *connectionCounter) serveCounts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_dev/connections" {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodDelete {
			c.opened.Store(0)
			c.handshakes.Store(0)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int64{"connections": c.opened.Load(), "tls_handshakes": c.handshakes.Load()})
	})
}

// delayed holds every response back by delay, as a distant server would.
func delayed(next http.Handler, delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		next.ServeHTTP(w, r)
	})
}
