// Package devserver is a stand-in for Label Studio's storage, project, task,
// token and version API, faithful to API.md beside this file, with real
// storage servers (S3, GCS, Azure Blob, Redis, local files) behind it. The
// provider's tests, its demo and its benchmarks run against it because Label
// Studio itself cannot be installed where they run.
package devserver

import (
	"fmt"
	"time"
)

// Config is the whole configuration of a stand-in server. The command
// (cmd/labelstudio-devserver) fills it from flags and from Label Studio's own
// environment variables; tests fill it directly.
type Config struct {
	// Version is the release reported by /api/version and in error envelopes.
	Version string
	// HideExceptionInfo mirrors DEBUG=false or DEBUG_MODAL_EXCEPTIONS=false:
	// 500 envelopes then carry no traceback in exc_info.
	HideExceptionInfo bool
	// Edition is "community" (default) or "enterprise"; enterprise adds the
	// kinds s3s, gcswif, gcs_sa, azure_spi and databricks.
	Edition string

	// UserToken is the bootstrap legacy token (LABEL_STUDIO_USER_TOKEN).
	UserToken string
	// LegacyTokensEnabled mirrors LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: when
	// false a legacy token is rejected with Label Studio's 401.
	LegacyTokensEnabled bool
	// AccessTokenTTL is the lifetime of the access JWTs handed out by
	// /api/token/refresh/ (Label Studio: about 5 minutes).
	AccessTokenTTL time.Duration

	// EnableLocalFilesStorage mirrors ENABLE_LOCAL_FILES_STORAGE (default true).
	EnableLocalFilesStorage bool
	// LocalFilesServingEnabled mirrors LOCAL_FILES_SERVING_ENABLED.
	LocalFilesServingEnabled bool
	// LocalFilesDocumentRoot mirrors LOCAL_FILES_DOCUMENT_ROOT (default "/").
	LocalFilesDocumentRoot string

	// GCSEndpoint and AzureEndpoint point the GCS and Azure clients at
	// emulators (real Label Studio hard-wires them). AzureEndpoint has the
	// form http://host:port/{account} with {account} replaced by the
	// storage's account name, e.g. "http://127.0.0.1:10000/{account}".
	GCSEndpoint   string
	AzureEndpoint string
	// AzureAccountName and AzureAccountKey mirror AZURE_BLOB_ACCOUNT_NAME
	// and AZURE_BLOB_ACCOUNT_KEY, the fallback when a storage has none.
	AzureAccountName string
	AzureAccountKey  string

	// SyncMode is "inline" (the sync finishes inside the request, as on a
	// Label Studio without Redis) or "queued" (a worker pool moves jobs
	// queued -> in_progress -> completed|failed).
	SyncMode string
	// SyncWorkers is the size of the queued worker pool.
	SyncWorkers int
	// SyncObjectDelay is added per object processed, so long syncs can be
	// tested.
	SyncObjectDelay time.Duration
	// SyncOnTargetStorageCreation mirrors SYNC_ON_TARGET_STORAGE_CREATION
	// (default true).
	SyncOnTargetStorageCreation bool
	// InProgressTimer mirrors STORAGE_IN_PROGRESS_TIMER (5s): a job with no
	// ping for 5x this long is marked failed by the list endpoint.
	InProgressTimer time.Duration

	// S3TrustedDomains mirrors S3_TRUSTED_STORAGE_DOMAINS: custom S3
	// endpoints on other domains get Label Studio's opaque 500 on errors.
	S3TrustedDomains []string

	// Hostname mirrors LABEL_STUDIO_HOST (settings.HOSTNAME): sent to ML
	// backends on setup; empty is Label Studio's http://localhost:8080.
	Hostname string
	// MLConnectionTimeout, MLHealthTimeout and MLSetupTimeout mirror
	// ML_CONNECTION_TIMEOUT, ML_TIMEOUT_HEALTH and ML_TIMEOUT_SETUP
	// (ml/api_connector.py: 1, 1 and 3 seconds).
	MLConnectionTimeout time.Duration
	MLHealthTimeout     time.Duration
	MLSetupTimeout      time.Duration
	// WebhookTimeout mirrors WEBHOOK_TIMEOUT (1 second): the connect and
	// read timeout of one webhook delivery.
	WebhookTimeout time.Duration
	// WebhookMaxConsecutiveFailures mirrors WEBHOOK_MAX_CONSECUTIVE_FAILURES:
	// a webhook is switched off when this many deliveries in a row failed;
	// 0 or less turns the switch off (webhooks/utils.py).
	WebhookMaxConsecutiveFailures int

	// DevHooks enables the /_dev/ test hooks, which Label Studio lacks.
	DevHooks bool
	// DataDir, when set, keeps state on disk (atomic writes) so that it
	// survives a restart. Empty means memory only.
	DataDir string
}

// Defaults of the zero-valued fields, as Label Studio ships them.
const (
	defaultVersion         = "1.23.2"
	defaultEdition         = "community"
	defaultAccessTokenTTL  = 5 * time.Minute
	defaultSyncMode        = "inline"
	defaultSyncWorkers     = 4
	defaultInProgressTimer = 5 * time.Second
	defaultDocumentRoot    = "/"
	defaultHostname        = "http://localhost:8080"
	defaultMLConnTimeout   = time.Second
	defaultMLHealthTimeout = time.Second
	defaultMLSetupTimeout  = 3 * time.Second
	defaultWebhookTimeout  = time.Second
	// defaultWebhookMaxConsecutiveFailures: the setting's default is not in
	// the Label Studio source read (API.md 18.4); this value is the
	// stand-in's choice.
	defaultWebhookMaxConsecutiveFailures = 10
)

// Sync modes.
const (
	SyncInline = "inline"
	SyncQueued = "queued"
)

// DefaultConfig is Label Studio's own default configuration. Booleans whose
// Label Studio default is true cannot be told apart from "unset" in a zero
// Config, so callers start from this and change what they need.
func DefaultConfig() Config {
	return Config{
		Version:                     defaultVersion,
		Edition:                     defaultEdition,
		AccessTokenTTL:              defaultAccessTokenTTL,
		EnableLocalFilesStorage:     true,
		LocalFilesDocumentRoot:      defaultDocumentRoot,
		SyncMode:                    defaultSyncMode,
		SyncWorkers:                 defaultSyncWorkers,
		SyncOnTargetStorageCreation: true,
		InProgressTimer:             defaultInProgressTimer,
		WebhookTimeout:              defaultWebhookTimeout,

		WebhookMaxConsecutiveFailures: defaultWebhookMaxConsecutiveFailures,
	}
}

// withDefaults fills the zero-valued fields that have a non-zero default and
// rejects values the server cannot work with.
func (c Config) withDefaults() (Config, error) {
	if c.Version == "" {
		c.Version = defaultVersion
	}
	if c.Edition == "" {
		c.Edition = defaultEdition
	}
	if c.AccessTokenTTL <= 0 {
		c.AccessTokenTTL = defaultAccessTokenTTL
	}
	if c.SyncMode == "" {
		c.SyncMode = defaultSyncMode
	}
	if c.SyncWorkers <= 0 {
		c.SyncWorkers = defaultSyncWorkers
	}
	if c.InProgressTimer <= 0 {
		c.InProgressTimer = defaultInProgressTimer
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = defaultWebhookTimeout
	}
	if c.LocalFilesDocumentRoot == "" {
		c.LocalFilesDocumentRoot = defaultDocumentRoot
	}
	if c.Hostname == "" {
		c.Hostname = defaultHostname
	}
	if c.MLConnectionTimeout <= 0 {
		c.MLConnectionTimeout = defaultMLConnTimeout
	}
	if c.MLHealthTimeout <= 0 {
		c.MLHealthTimeout = defaultMLHealthTimeout
	}
	if c.MLSetupTimeout <= 0 {
		c.MLSetupTimeout = defaultMLSetupTimeout
	}
	switch c.Edition {
	case "community", "enterprise":
	default:
		return c, fmt.Errorf("devserver: edition must be community or enterprise, not %q", c.Edition)
	}
	switch c.SyncMode {
	case SyncInline, SyncQueued:
	default:
		return c, fmt.Errorf("devserver: sync mode must be inline or queued, not %q", c.SyncMode)
	}
	if c.SyncObjectDelay < 0 {
		return c, fmt.Errorf("devserver: sync object delay must not be negative")
	}
	return c, nil
}
