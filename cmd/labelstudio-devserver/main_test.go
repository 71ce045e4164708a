package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEnvironmentPrecedenceAndFlags(t *testing.T) {
	t.Setenv("LOCAL_FILES_DOCUMENT_ROOT", "/bare")
	t.Setenv("HEARTEX_LOCAL_FILES_DOCUMENT_ROOT", "/heartex")
	t.Setenv("LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT", "/label-studio")
	t.Setenv("LOCAL_FILES_SERVING_ENABLED", "true")
	t.Setenv("HEARTEX_ENABLE_LOCAL_FILES_STORAGE", "false")
	t.Setenv("LABEL_STUDIO_USER_TOKEN", "abc")
	t.Setenv("LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN", "1")
	t.Setenv("SYNC_ON_TARGET_STORAGE_CREATION", "off")
	t.Setenv("S3_TRUSTED_STORAGE_DOMAINS", "minio.local, example.com")
	t.Setenv("AZURE_BLOB_ACCOUNT_NAME", "devstoreaccount1")
	t.Setenv("LABEL_STUDIO_DEBUG_MODAL_EXCEPTIONS", "false")

	opts, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := opts.cfg
	if c.LocalFilesDocumentRoot != "/label-studio" || !c.LocalFilesServingEnabled || c.EnableLocalFilesStorage ||
		c.UserToken != "abc" || !c.LegacyTokensEnabled || c.SyncOnTargetStorageCreation ||
		strings.Join(c.S3TrustedDomains, ",") != "minio.local,example.com" || c.AzureAccountName != "devstoreaccount1" ||
		!c.HideExceptionInfo {
		t.Errorf("from the environment: %+v", c)
	}
	if opts.addr != "127.0.0.1:8080" {
		t.Errorf("default addr %q", opts.addr)
	}

	opts, err = parseOptions([]string{"--local-files-document-root", "/flag", "--sync-mode", "queued", "--sync-workers", "2",
		"--sync-object-delay", "10ms", "--access-token-ttl", "1m", "--edition", "enterprise", "--dev-hooks", "--print-pat",
		"--gcs-endpoint", "http://127.0.0.1:4443", "--azure-endpoint", "http://127.0.0.1:10000/{account}", "--data-dir", "/tmp/x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c = opts.cfg
	if c.LocalFilesDocumentRoot != "/flag" || c.SyncMode != "queued" || c.SyncWorkers != 2 || c.SyncObjectDelay != 10*time.Millisecond ||
		c.AccessTokenTTL != time.Minute || c.Edition != "enterprise" || !c.DevHooks || !opts.printPAT ||
		c.GCSEndpoint != "http://127.0.0.1:4443" || c.AzureEndpoint != "http://127.0.0.1:10000/{account}" || c.DataDir != "/tmp/x" {
		t.Errorf("flags do not win: %+v", c)
	}

	t.Setenv("LOCAL_FILES_SERVING_ENABLED", "sometimes")
	if _, err := parseOptions(nil, io.Discard); err == nil {
		t.Errorf("a non-boolean environment value was accepted")
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var help bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, io.Discard, &help); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"addr", "gcs-endpoint", "azure-endpoint", "edition", "sync-mode", "sync-workers", "sync-object-delay",
		"access-token-ttl", "dev-hooks", "data-dir", "print-pat", "user-token", "enable-legacy-api-token", "local-files-serving-enabled",
		"local-files-document-root", "enable-local-files-storage", "sync-on-target-storage-creation", "in-progress-timer",
		"azure-account-name", "azure-account-key", "s3-trusted-storage-domains", "version", "tls-cert", "tls-key", "response-delay"} {
		if !strings.Contains(help.String(), "-"+flag) {
			t.Errorf("--help does not mention -%s", flag)
		}
	}
}

// startCommand runs the command with args on a free port and returns the
// printed PAT and address, and a stop function that cancels it the way SIGINT
// does and reports run's error.
func startCommand(t *testing.T, args ...string) (pat, base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdoutWriter := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--print-pat"}, args...), stdoutWriter, io.Discard)
		_ = stdoutWriter.Close()
	}()
	lines := bufio.NewScanner(stdoutReader)
	for lines.Scan() {
		line := lines.Text()
		if v, ok := strings.CutPrefix(line, "PAT="); ok {
			pat = v
		}
		if v, ok := strings.CutPrefix(line, "listening on "); ok {
			base = v
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdoutReader) }()
	stop = func() error {
		cancel()
		return <-done
	}
	if pat == "" || base == "" {
		_ = stop()
		t.Fatalf("no PAT or address printed (PAT %q, address %q)", pat, base)
	}
	return pat, base, stop
}

// TestServesUntilCancelled starts the command on a free port, uses the
// printed PAT, and stops it the way SIGINT does.
func TestServesUntilCancelled(t *testing.T) {
	pat, base, stop := startCommand(t, "--data-dir", t.TempDir())
	res, err := http.Post(base+"/api/token/refresh/", "application/json", strings.NewReader(`{"refresh":"`+pat+`"}`))
	if err != nil {
		_ = stop()
		t.Fatal(err)
	}
	var body struct{ Access string }
	err = json.NewDecoder(res.Body).Decode(&body)
	_ = res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || body.Access == "" {
		t.Errorf("refresh with the printed PAT: %d %v", res.StatusCode, err)
	}
	if err := stop(); err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

// TestTLSDelayAndConnectionCounts: with -tls-cert/-tls-key the command serves
// HTTPS, -response-delay holds every response back, and /_dev/connections
// counts connections and TLS handshakes (the benchmarks' remote-server mode).
func TestTLSDelayAndConnectionCounts(t *testing.T) {
	certFile, keyFile, roots := writeSelfSignedCert(t)
	const delay = 50 * time.Millisecond
	_, base, stop := startCommand(t, "--dev-hooks", "--tls-cert", certFile, "--tls-key", keyFile, "--response-delay", delay.String())
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	}()
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("address %q, want https://", base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	get := func(method, path string) map[string]int64 {
		t.Helper()
		req, err := http.NewRequest(method, base+path, http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = res.Body.Close() }()
		if took := time.Since(started); took < delay {
			t.Errorf("%s %s answered after %s, before the %s delay", method, path, took, delay)
		}
		var counts map[string]int64
		if path == "/_dev/connections" {
			if err := json.NewDecoder(res.Body).Decode(&counts); err != nil {
				t.Fatal(err)
			}
		} else {
			_, _ = io.Copy(io.Discard, res.Body)
		}
		return counts
	}
	for range 3 {
		get(http.MethodGet, "/api/version")
	}
	if counts := get(http.MethodGet, "/_dev/connections"); counts["connections"] != 1 || counts["tls_handshakes"] != 1 {
		t.Errorf("four requests on one kept-alive connection: counts %v, want 1 connection and 1 handshake", counts)
	}
	if counts := get(http.MethodDelete, "/_dev/connections"); counts["connections"] != 0 || counts["tls_handshakes"] != 0 {
		t.Errorf("after DELETE: counts %v, want zeros", counts)
	}
}

// writeSelfSignedCert writes a certificate for 127.0.0.1 and its key, and
// returns the pool that trusts it.
func writeSelfSignedCert(t *testing.T) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "labelstudio-devserver test"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// ml/api_connector.py reads its timeouts as float seconds through get_env;
// settings.HOSTNAME is HOST.
func TestMLEnvironment(t *testing.T) {
	t.Setenv("ML_TIMEOUT_HEALTH", "0.5")
	t.Setenv("LABEL_STUDIO_ML_TIMEOUT_SETUP", "7")
	t.Setenv("LABEL_STUDIO_HOST", "https://ls.example.com")
	opts, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := opts.cfg
	if c.MLHealthTimeout != 500*time.Millisecond || c.MLSetupTimeout != 7*time.Second || c.MLConnectionTimeout != time.Second || c.Hostname != "https://ls.example.com" {
		t.Errorf("ML settings: health %v setup %v connect %v host %q", c.MLHealthTimeout, c.MLSetupTimeout, c.MLConnectionTimeout, c.Hostname)
	}
	t.Setenv("ML_CONNECTION_TIMEOUT", "soon")
	if _, err := parseOptions(nil, io.Discard); err == nil {
		t.Errorf("a non-number timeout was accepted")
	}
}

// core/settings/base.py reads WEBHOOK_TIMEOUT as float seconds (default 1);
// webhooks/utils.py reads WEBHOOK_MAX_CONSECUTIVE_FAILURES as a number.
func TestWebhookEnvironment(t *testing.T) {
	opts, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if opts.cfg.WebhookTimeout != time.Second || opts.cfg.WebhookMaxConsecutiveFailures != 10 {
		t.Errorf("defaults: timeout %v, threshold %d", opts.cfg.WebhookTimeout, opts.cfg.WebhookMaxConsecutiveFailures)
	}
	t.Setenv("LABEL_STUDIO_WEBHOOK_TIMEOUT", "2.5")
	t.Setenv("WEBHOOK_MAX_CONSECUTIVE_FAILURES", "0")
	if opts, err = parseOptions(nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	if opts.cfg.WebhookTimeout != 2500*time.Millisecond || opts.cfg.WebhookMaxConsecutiveFailures != 0 {
		t.Errorf("from the environment: timeout %v, threshold %d", opts.cfg.WebhookTimeout, opts.cfg.WebhookMaxConsecutiveFailures)
	}
	t.Setenv("WEBHOOK_MAX_CONSECUTIVE_FAILURES", "many")
	if _, err := parseOptions(nil, io.Discard); err == nil {
		t.Errorf("a non-number threshold was accepted")
	}
}
