// Package testenv is what the provider's, the sync engine's and the
// stand-in's tests run against: a Label Studio (the in-process stand-in, or
// a real one named by LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY) and the
// storage servers started by scripts/services.sh, with helpers to seed them.
package testenv

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
)

// Options adjust the stand-in; a real Label Studio ignores them.
type Options struct {
	// SyncMode is devserver.SyncInline (default) or devserver.SyncQueued.
	SyncMode string
	// SyncObjectDelay slows syncs down per object.
	SyncObjectDelay time.Duration
	// Edition is "community" (default) or "enterprise".
	Edition string
	// AccessTokenTTL is the lifetime of access tokens minted from a PAT.
	AccessTokenTTL time.Duration
	// UsePAT hands out a personal access token instead of the legacy token.
	UsePAT bool
	// LocalFilesServingDisabled turns LOCAL_FILES_SERVING_ENABLED off.
	LocalFilesServingDisabled bool
	// S3TrustedDomains replaces Label Studio's S3_TRUSTED_STORAGE_DOMAINS;
	// nil keeps its defaults, under which MinIO on 127.0.0.1 is untrusted.
	S3TrustedDomains []string
	// Version is the release the stand-in reports on /api/version; empty
	// keeps its default.
	Version string
	// WebhookMaxConsecutiveFailures is the number of failed deliveries in a
	// row that switches a webhook off; 0 keeps the stand-in's default.
	WebhookMaxConsecutiveFailures int
	// WebhookTimeout is the stand-in's WEBHOOK_TIMEOUT; 0 keeps 1 second.
	WebhookTimeout time.Duration
	// DataDir is the stand-in's data directory: it starts with the objects
	// (and ids, and legacy token) of the snapshot there and keeps its
	// changes there. Empty: a fresh, memory-only stand-in.
	DataDir string
}

// Env is a running Label Studio.
type Env struct {
	// URL is the server's base URL, without a trailing slash.
	URL string
	// APIKey is a legacy token, or a personal access token with UsePAT.
	APIKey string
	// Real is true when the tests run against a real Label Studio.
	Real bool
	// Server is the stand-in; nil when Real.
	Server *devserver.Server
	// DocumentRoot is LOCAL_FILES_DOCUMENT_ROOT; empty when unknown (a real
	// server without LSTEST_LOCAL_FILES_ROOT).
	DocumentRoot string
}

// Start returns a Label Studio for the test: the real one when
// LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY are set, otherwise a fresh
// stand-in with the /_dev/ hooks, legacy tokens, local files served from a
// temporary document root and the storage emulators from LSTEST_*.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	if url, key := os.Getenv("LABEL_STUDIO_URL"), os.Getenv("LABEL_STUDIO_API_KEY"); url != "" && key != "" {
		return &Env{URL: strings.TrimRight(url, "/"), APIKey: key, Real: true, DocumentRoot: os.Getenv("LSTEST_LOCAL_FILES_ROOT")}
	}

	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatalf("testenv: document root: %v", err)
	}
	cfg := devserver.DefaultConfig()
	cfg.DevHooks = true
	cfg.LegacyTokensEnabled = true
	cfg.LocalFilesServingEnabled = !opts.LocalFilesServingDisabled
	cfg.LocalFilesDocumentRoot = root
	cfg.GCSEndpoint = os.Getenv("LSTEST_GCS_ENDPOINT")
	cfg.AzureEndpoint = os.Getenv("LSTEST_AZURE_ENDPOINT")
	cfg.AzureAccountName = os.Getenv("LSTEST_AZURE_ACCOUNT_NAME")
	cfg.AzureAccountKey = os.Getenv("LSTEST_AZURE_ACCOUNT_KEY")
	cfg.S3TrustedDomains = opts.S3TrustedDomains
	cfg.SyncObjectDelay = opts.SyncObjectDelay
	if opts.SyncMode != "" {
		cfg.SyncMode = opts.SyncMode
	}
	if opts.Edition != "" {
		cfg.Edition = opts.Edition
	}
	if opts.Version != "" {
		cfg.Version = opts.Version
	}
	if opts.WebhookMaxConsecutiveFailures > 0 {
		cfg.WebhookMaxConsecutiveFailures = opts.WebhookMaxConsecutiveFailures
	}
	if opts.WebhookTimeout > 0 {
		cfg.WebhookTimeout = opts.WebhookTimeout
	}
	if opts.AccessTokenTTL > 0 {
		cfg.AccessTokenTTL = opts.AccessTokenTTL
	}
	cfg.DataDir = opts.DataDir

	srv, err := devserver.New(cfg)
	if err != nil {
		t.Fatalf("testenv: start the stand-in: %v", err)
	}
	httpServer := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		httpServer.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("testenv: close the stand-in: %v", err)
		}
	})

	apiKey := srv.LegacyToken()
	if opts.UsePAT {
		if apiKey, err = srv.MintPersonalAccessToken(); err != nil {
			t.Fatalf("testenv: mint a personal access token: %v", err)
		}
	}
	return &Env{URL: httpServer.URL, APIKey: apiKey, Server: srv, DocumentRoot: root}
}

// require returns the values of the named environment variables. When one
// is missing the test is skipped, or fails under LSTEST_REQUIRE_SERVICES=1
// (make test, CI), so a broken setup cannot pass silently.
func require(t testing.TB, what string, names ...string) map[string]string {
	t.Helper()
	values := make(map[string]string, len(names))
	for _, name := range names {
		v := os.Getenv(name)
		if v == "" {
			msg := what + " unavailable: " + name + " is not set (run: bash scripts/services.sh start && . .services/env)"
			if os.Getenv("LSTEST_REQUIRE_SERVICES") == "1" {
				t.Fatal(msg)
			} else {
				t.Skip(msg)
			}
		}
		values[name] = v
	}
	return values
}
