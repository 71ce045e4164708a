package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
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
		"azure-account-name", "azure-account-key", "s3-trusted-storage-domains", "version"} {
		if !strings.Contains(help.String(), "-"+flag) {
			t.Errorf("--help does not mention -%s", flag)
		}
	}
}

// TestServesUntilCancelled starts the command on a free port, uses the
// printed PAT, and stops it the way SIGINT does.
func TestServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdoutWriter := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--print-pat", "--data-dir", t.TempDir()}, stdoutWriter, io.Discard)
		_ = stdoutWriter.Close()
	}()
	lines := bufio.NewScanner(stdoutReader)
	var pat, base string
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
	if pat == "" || base == "" {
		cancel()
		t.Fatalf("no PAT or address printed (PAT %q, address %q)", pat, base)
	}
	res, err := http.Post(base+"/api/token/refresh/", "application/json", strings.NewReader(`{"refresh":"`+pat+`"}`))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var body struct{ Access string }
	err = json.NewDecoder(res.Body).Decode(&body)
	_ = res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || body.Access == "" {
		t.Errorf("refresh with the printed PAT: %d %v", res.StatusCode, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}
