package provider

import "github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"

// The Enterprise kinds that authenticate without static keys, appended to
// the kinds table. Fields, descriptions, requiredness and defaults follow
// Label Studio's API reference; the rules behind the plan-time checks are
// in storage_validators_enterprise.go.

var (
	googleProjectIDField = fieldSpec{name: "google_project_id", typ: fieldString,
		description: "Google project ID of the bucket."}
	// objectStoreOptions are the import options of the GCS and Azure
	// families, and their export deletion flag.
	objectStoreOptions = []fieldSpec{presignField, presignTTLField, nullableRecursiveScanField, canDeleteObjectsField}
)

var keylessKinds = []storageKind{
	{
		typeName: "gcswif", apiKind: "gcswif", title: "Google Cloud Storage with Workload Identity Federation", enterprise: true, regexOnFullKey: true,
		communityAlternative: "labelstudio_gcs_%s_storage with a service-account key",
		fields: append([]fieldSpec{
			bucketField,
			prefixField,
			googleProjectIDField,
			{name: "google_project_number", typ: fieldString, check: googleProjectNumberValidator(),
				description: "Google project number (digits, not the project ID) of the project that holds the workload identity pool."},
			{name: "google_wif_pool_id", typ: fieldString, check: wifIDValidator(),
				description: "Google WIF pool ID: the workload identity pool that trusts Label Studio's AWS identity."},
			{name: "google_wif_provider_id", typ: fieldString, check: wifIDValidator(),
				description: "Google WIF provider ID: the AWS provider inside the pool."},
			{name: "google_service_account_email", typ: fieldString, check: serviceAccountEmailValidator(),
				description: "Google service account email that Label Studio impersonates through the pool, e.g. `label-studio@my-project.iam.gserviceaccount.com`."},
			{name: "google_application_credentials", typ: fieldString, secret: true,
				description: "The content of a GOOGLE_APPLICATION_CREDENTIALS JSON file: the credential configuration that `gcloud iam workload-identity-pools create-cred-config` writes (it holds no key). Leave unset to let Label Studio build it from the pool, provider and service account."},
		}, objectStoreOptions...),
		description: "a Google Cloud Storage bucket reached through Workload Identity Federation, without a service-account key (Label Studio Enterprise only)",
	},
	{
		typeName: "gcs_sa", apiKind: "gcs_sa", title: "Google Cloud Storage with service-account impersonation", enterprise: true, regexOnFullKey: true,
		communityAlternative: "labelstudio_gcs_%s_storage with a service-account key",
		fields: append([]fieldSpec{
			bucketField,
			prefixField,
			googleProjectIDField,
			{name: "target_service_account_email", typ: fieldString, check: serviceAccountEmailValidator(),
				description: "Service account email to impersonate for GCS access. Label Studio's own Google identity needs the Service Account Token Creator role on it."},
		}, objectStoreOptions...),
		description: "a Google Cloud Storage bucket reached by impersonating a service account (Label Studio Enterprise only)",
	},
	{
		typeName: "azure_spi", apiKind: "azure_spi", title: "Azure Blob Storage with a service principal", enterprise: true, regexOnFullKey: true,
		communityAlternative: "labelstudio_azure_blob_%s_storage with an account key",
		fields: append([]fieldSpec{
			{name: "container", typ: fieldString,
				description: "Azure blob container."},
			{name: "prefix", typ: fieldString,
				description: "Azure blob prefix name (folder) inside the container. For an import storage the prefix must contain at least one blob when the storage is created or updated; add `depends_on` on the blob upload."},
			{name: "account_name", typ: fieldString, hidden: true,
				description: "Azure Blob account name. Label Studio never returns it, so the configured value is kept and changes made outside Terraform are not detected."},
			{name: "tenant_id", typ: fieldString, check: uuidValidator(),
				description: "Azure Tenant ID (Directory ID) of the app registration, a UUID."},
			{name: "client_id", typ: fieldString, check: uuidValidator(),
				description: "Azure Blob Service Principal Client ID: the application (client) ID of the app registration, a UUID."},
			{name: "client_secret", typ: fieldString, secret: true,
				description: "Azure Blob Service Principal Client Secret: a client secret of the app registration."},
			{name: "user_delegation_key", typ: fieldString, secret: true,
				description: "User Delegation Key (Backend): Label Studio obtains and renews it with the service principal to sign blob URLs; leave it unset."},
		}, objectStoreOptions...),
		description: "an Azure Blob Storage container reached with a Microsoft Entra service principal (Label Studio Enterprise only)",
	},
	{
		typeName: "databricks", apiKind: "databricks", title: "Databricks Files in a Unity Catalog volume", enterprise: true,
		fields: []fieldSpec{
			{name: "host", typ: fieldString, required: true, check: httpsURLValidator(),
				description: "Databricks workspace base URL (https://...), e.g. `https://dbc-1234abcd-5678.cloud.databricks.com` or `https://adb-1234567890123456.7.azuredatabricks.net`."},
			{name: "catalog", typ: fieldString, required: true, check: unityCatalogNameValidator(),
				description: "UC catalog name."},
			{name: "schema", typ: fieldString, required: true, check: unityCatalogNameValidator(),
				description: "UC schema name."},
			{name: "volume", typ: fieldString, required: true, check: unityCatalogNameValidator(),
				description: "UC volume name. Label Studio reads and writes `/Volumes/<catalog>/<schema>/<volume>/<prefix>`."},
			{name: "prefix", typ: fieldString,
				description: "Path under the volume (import) or export path prefix under the volume (export)."},
			{name: "auth_type", typ: fieldString, serverDefault: true, check: databricksAuthValidator{},
				description: "Authentication method: `pat` (Personal Access Token: set `token`), `dbx_sp` (Databricks Service Principal: set `client_id` and `client_secret`) or `azure_ad_sp` (Azure AD Service Principal: set `tenant_id`, `client_id` and `client_secret`). Left to the server when unset."},
			{name: "token", typ: fieldString, secret: true,
				description: "Databricks personal access token (required for PAT mode)."},
			{name: "client_id", typ: fieldString, blankWhenUnset: true, check: uuidValidator(),
				description: "Service principal client/application ID (required for SP modes), a UUID."},
			{name: "client_secret", typ: fieldString, secret: true,
				description: "Service principal client secret (required for SP modes): an OAuth secret of the Databricks service principal, or a client secret of the Entra app registration."},
			{name: "tenant_id", typ: fieldString, blankWhenUnset: true, check: uuidValidator(),
				description: "Azure AD tenant ID (required for Azure AD SP mode), a UUID."},
			{name: "verify_tls", typ: fieldBool, serverDefault: true,
				description: "Verify TLS certificates of the workspace. Left to the server when unset."},
			{name: "request_timeout_s", typ: fieldInt64, serverDefault: true, check: positiveValidator(),
				description: "Timeout of each request to the workspace, in seconds. Left to the server when unset."},
			{name: "stream_chunk_bytes", typ: fieldInt64, serverDefault: true, check: positiveValidator(),
				description: "Size in bytes of the chunks in which files are streamed. Left to the server when unset."},
			{name: "presign", typ: fieldBool, direction: client.Import, serverDefault: true,
				description: "Presign not supported; always proxied: media is streamed through Label Studio, so no CORS rule is needed. Left to the server when unset."},
			{name: "presign_ttl", typ: fieldInt64, direction: client.Import, serverDefault: true, check: presignTTLValidator(),
				description: "Unused for Databricks; kept for compatibility. Left to the server when unset."},
			{name: "recursive_scan", typ: fieldBool, direction: client.Import, serverDefault: true,
				description: "Perform recursive scan: list files in every sub-folder below the prefix. Left to the server when unset."},
			canDeleteObjectsField,
		},
		description: "a Databricks Unity Catalog volume, through the Databricks Files API (Label Studio Enterprise only)",
	},
}
