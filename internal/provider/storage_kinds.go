package provider

import (
	"slices"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// This file is the one table that defines every storage resource: which
// kinds exist, and which fields each kind takes in each direction. The
// generic resource (storage_resource.go) builds its schema, request bodies
// and state from it; nothing else knows about individual kinds.

// storageKind is one storage kind: one import and one export resource.
type storageKind struct {
	// typeName is the middle of the resource type name:
	// labelstudio_<typeName>_<direction>_storage.
	typeName string
	// apiKind is the kind's segment in the API paths and its `type` value.
	apiKind string
	// title is the human name used in descriptions.
	title string
	// enterprise kinds exist only in Label Studio Enterprise (404 on OSS).
	enterprise bool
	// communityAlternative is the resource a Community server's 404 points
	// an enterprise kind's user to, with %s for the direction; "" for none.
	communityAlternative string
	// regexOnFullKey: regex_filter is matched against the full object key,
	// prefix included (object stores), rather than the basename.
	regexOnFullKey bool
	// requiredTogether lists secret groups that must be set together (either
	// variant of each); requires maps a secret to the group it needs.
	requiredTogether [][]string
	requires         map[string][]string
	// credentialsAsOne (S3): an update sends the kind's secrets all
	// together, and only when one of them changed. Label Studio resets
	// aws_session_token whenever a key field is in the body
	// (io_storages/s3/serializers.py), so sending the keys on every update
	// would drop a token Terraform does not manage.
	credentialsAsOne bool
	// validateWithID (S3): the update check posts the storage's id, and
	// Label Studio fills the stored secrets the body lacks without saving
	// anything. The other kinds save the body on validate-with-id
	// (API.md §4.4), so they are checked without id.
	validateWithID bool
	// importCreateChecks: Label Studio's import create tests the connection
	// in every case and refuses the storage on any failure (the import
	// serializers of GCS, Azure, Redis and local files,
	// io_storages/*/serializers.py), so no separate check need come first.
	// S3's serializer skips the test without a bucket and accepts error
	// answers other than 403 and 404 (io_storages/s3/serializers.py), which
	// the validate view refuses. Every export create is tested by its view
	// (io_storages/api.py, ExportStorageListAPI.perform_create).
	importCreateChecks bool
	fields             []fieldSpec
	// description is the kind-specific part of the resource description.
	description string
}

// fieldsFor returns the kind's fields (common ones included) in a direction.
func (k storageKind) fieldsFor(dir client.Direction) []fieldSpec {
	var out []fieldSpec
	for _, f := range commonFields {
		if f.appliesTo(dir) {
			out = append(out, f)
		}
	}
	for _, f := range k.fields {
		if f.appliesTo(dir) {
			out = append(out, f)
		}
	}
	return out
}

// commonFields exist on every kind (API.md §2).
var commonFields = []fieldSpec{
	{name: "title", typ: fieldString, check: titleValidator(),
		description: "Name of the storage shown in Label Studio (at most 256 characters)."},
	{name: "description", typ: fieldString,
		description: "Free-text description of the storage."},
	{name: "regex_filter", typ: fieldString, check: regexFilterValidator(),
		description: "Python regular expression selecting which objects become tasks. It is applied with `re.match`, which is **anchored at the start and not a full match**: for S3, GCS and Azure it is matched against the full object key including the prefix (so `\\.jpg$` matches nothing; use `.*\\.jpg$`), for local files against the file's basename only, and Redis ignores it. Unset means every object."},
	{name: "use_blob_urls", typ: fieldBool, defaults: always(false),
		description: "`true`: every object becomes one task that holds the object's URL (for images, audio and other media). `false` (server default): every object is read as JSON (or JSONL) task data. Only meaningful on import storages; export storages store it but ignore it."},
	{name: "synchronizable", typ: fieldBool, defaults: always(true),
		description: "Whether the storage can be synced. A sync of a storage with `false` is refused. Server default `true`."},
}

// Fields of the object stores' import side.
var (
	presignField = fieldSpec{name: "presign", typ: fieldBool, direction: client.Import, defaults: importOnly(true),
		description: "`true` (server default): Label Studio hands the browser time-limited presigned URLs (HTTP 303 redirect), so the bucket needs a CORS rule for the Label Studio origin. `false`: media is proxied through Label Studio and no CORS rule is needed."}
	presignTTLField = fieldSpec{name: "presign_ttl", typ: fieldInt64, direction: client.Import, defaults: importOnly(int64(1)), check: presignTTLValidator(),
		description: "Lifetime of presigned URLs in **minutes** (1 to 32767). Server default 1."}
	recursiveScanField = fieldSpec{name: "recursive_scan", typ: fieldBool, direction: client.Import, defaults: importOnly(false),
		description: "`true`: list objects in every sub-folder below the prefix (path). `false` (server default): only direct children are listed."}
	// nullableRecursiveScanField is recursive_scan where Label Studio added
	// it as nullable (io_storages migration 0021: GCS, Azure, local files; the
	// API reference types the Enterprise GCS and Azure families' alike).
	nullableRecursiveScanField = nullReadsAsDefault(recursiveScanField)
	canDeleteObjectsField      = fieldSpec{name: "can_delete_objects", typ: fieldBool, direction: client.Export,
		description: "When `true`, deleting an annotation in Label Studio also deletes its exported object. Honoured by S3 and local files; stored but unused by the other kinds. Unset (null) by default."}
	prefixField = fieldSpec{name: "prefix", typ: fieldString,
		description: "Key prefix (folder) inside the bucket. For an import storage the prefix must contain at least one object when the storage is created or updated (Label Studio checks the connection by listing it); add `depends_on` on the object upload."}
	bucketField = fieldSpec{name: "bucket", typ: fieldString, check: bucketNameValidator(),
		description: "Bucket name."}
)

// s3Fields are shared by s3 and s3s.
var s3Fields = []fieldSpec{
	bucketField,
	prefixField,
	{name: "aws_access_key_id", typ: fieldString, secret: true,
		description: "AWS access key ID. Give it together with the secret access key, or leave both out to use the server's default AWS credential chain (instance role, IRSA, environment)."},
	{name: "aws_secret_access_key", typ: fieldString, secret: true,
		description: "AWS secret access key. Give it together with the access key ID."},
	{name: "aws_session_token", typ: fieldString, secret: true,
		description: "AWS session token for temporary credentials; needs the access key pair."},
	{name: "aws_sse_kms_key_id", typ: fieldString,
		description: "KMS key ID used for server-side encryption of exported objects."},
	{name: "region_name", typ: fieldString,
		description: "AWS region of the bucket, e.g. `us-east-1`."},
	{name: "s3_endpoint", typ: fieldString, check: httpURLValidator(),
		description: "Endpoint URL of an S3-compatible service (MinIO, Ceph, …), e.g. `https://minio.example.com:9000`. Leave unset for AWS."},
	presignField, presignTTLField, recursiveScanField, canDeleteObjectsField,
}

// s3Pairs are the S3 credential rules (API.md §3.1).
var (
	s3Together = [][]string{{"aws_access_key_id", "aws_secret_access_key"}}
	s3Requires = map[string][]string{"aws_session_token": {"aws_access_key_id", "aws_secret_access_key"}}
)

// storageKinds is every storage kind the provider manages: the Community
// kinds and s3s here, the Enterprise keyless kinds in
// storage_kinds_enterprise.go.
var storageKinds = slices.Concat(keyedKinds, keylessKinds)

var keyedKinds = []storageKind{
	{
		typeName: "s3", apiKind: "s3", title: "Amazon S3", regexOnFullKey: true,
		requiredTogether: s3Together, requires: s3Requires, credentialsAsOne: true, validateWithID: true,
		fields:      s3Fields,
		description: "an Amazon S3 (or S3-compatible, via `s3_endpoint`) bucket",
	},
	{
		typeName: "s3s", apiKind: "s3s", title: "Amazon S3 with an IAM role", enterprise: true, regexOnFullKey: true,
		communityAlternative: "labelstudio_s3_%s_storage with access keys",
		requiredTogether:     s3Together, requires: s3Requires, credentialsAsOne: true, validateWithID: true,
		fields: append([]fieldSpec{
			{name: "role_arn", typ: fieldString, required: true,
				description: "ARN of the IAM role Label Studio assumes to reach the bucket. Its trust policy must allow Label Studio's principal with your organization's external ID."},
			{name: "external_id", typ: fieldString,
				description: "External ID required by the role's trust policy (your organization's External ID, shown on the Organization page)."},
			{name: "legacy_auth", typ: fieldBool, serverDefault: true,
				description: "Use the legacy authentication flow of IAM-role storages. Left to the server when unset."},
		}, s3Fields...),
		description: "an Amazon S3 bucket reached through an IAM role (Label Studio Enterprise only)",
	},
	{
		typeName: "gcs", apiKind: "gcs", title: "Google Cloud Storage", regexOnFullKey: true, importCreateChecks: true,
		fields: []fieldSpec{
			bucketField,
			prefixField,
			{name: "google_project_id", typ: fieldString,
				description: "Google Cloud project ID of the bucket."},
			{name: "google_application_credentials", typ: fieldString, secret: true,
				description: "The text (not the path) of a service-account JSON key file. Leave unset to use the server's Application Default Credentials."},
			presignField, presignTTLField, nullableRecursiveScanField, canDeleteObjectsField,
		},
		description: "a Google Cloud Storage bucket",
	},
	{
		typeName: "azure_blob", apiKind: "azure", title: "Azure Blob Storage", regexOnFullKey: true, importCreateChecks: true,
		fields: []fieldSpec{
			{name: "container", typ: fieldString,
				description: "Blob container name."},
			prefixField,
			{name: "account_name", typ: fieldString, hidden: true,
				description: "Storage account name. Label Studio never returns it, so the configured value is kept and changes made outside Terraform are not detected. Leave unset to use the server's `AZURE_BLOB_ACCOUNT_NAME`."},
			{name: "account_key", typ: fieldString, secret: true,
				description: "Storage account key. Leave unset to use the server's `AZURE_BLOB_ACCOUNT_KEY`."},
			presignField, presignTTLField, nullableRecursiveScanField, canDeleteObjectsField,
		},
		description: "an Azure Blob Storage container",
	},
	{
		typeName: "redis", apiKind: "redis", title: "Redis", importCreateChecks: true,
		fields: []fieldSpec{
			{name: "host", typ: fieldString,
				description: "Redis host name or IP address. The server connects to `localhost` when unset."},
			{name: "port", typ: fieldString, check: portValidator(),
				description: "Redis port as a string of digits (1 to 65535), e.g. `\"6379\"`."},
			{name: "db", typ: fieldInt64, check: redisDBValidator(),
				defaults:    map[client.Direction]any{client.Import: int64(1), client.Export: int64(2)},
				description: "Redis database number, at least 1 (Label Studio cannot use database 0). Server default 1 for import and 2 for export storages."},
			{name: "path", typ: fieldString,
				description: "Key prefix: an import storage reads every key starting with it (one task per key). Export storages do not use it."},
			{name: "password", typ: fieldString, secret: true,
				description: "Redis password."},
			canDeleteObjectsField,
		},
		description: "a Redis database",
	},
	{
		typeName: "local", apiKind: "localfiles", title: "local files", importCreateChecks: true,
		fields: []fieldSpec{
			{name: "path", typ: fieldLocalPath, required: true, check: absolutePathValidator(),
				description: "Absolute directory on the Label Studio server. It must exist and be a strict subdirectory of the server's `LOCAL_FILES_DOCUMENT_ROOT`, and the server needs `LOCAL_FILES_SERVING_ENABLED=true`. Label Studio normalises the path (separators, `.`/`..`, trailing slash); equivalent spellings never show a difference."},
			{name: "recursive_scan", typ: fieldBool, direction: client.Import, defaults: importOnly(false), nullReadsAsDefault: true,
				description: "`true`: include files in sub-directories. `false` (server default): only files directly in `path`."},
			canDeleteObjectsField,
		},
		description: "a directory on the Label Studio server (local files)",
	},
}

// nullReadsAsDefault is f with a stored null read as its default.
func nullReadsAsDefault(f fieldSpec) fieldSpec {
	f.nullReadsAsDefault = true
	return f
}
