package devserver

// The Enterprise kinds beyond s3s (API.md 11). Label Studio Enterprise's
// source is not public: the fields, requiredness and routes come from the
// official API reference (testdata/openapi.yml); the validation and sync
// behaviour is that of each kind's Community parent (gcs for gcswif and
// gcs_sa, azure for azure_spi), which the Enterprise serializers extend.
// databricks has no parent: it validates on create in both directions.

var (
	gcsPatchModes   = map[string]patchMode{dirImport: patchMerged, dirExport: patchNoCheck}
	gcsFamilyFields = []fieldSpec{str("bucket"), str("prefix"), str("google_project_id")}
)

// enterpriseKinds follow s3s in the /types order.
var enterpriseKinds = []*kindSpec{
	{
		name: "gcswif", title: "Google Cloud Storage (WIF)", model: "GCSWIF", enterprise: true,
		fields: append(append([]fieldSpec{}, gcsFamilyFields...),
			secretStr("google_application_credentials"),
			str("google_project_number"), str("google_service_account_email"),
			str("google_wif_pool_id"), str("google_wif_provider_id")),
		importFields: objectImportFields, exportFields: canDeleteObjects,
		fillSecretsOnValidate: true, fillEmptySecrets: true, validateWritesCandidate: true,
		patchValidation: gcsPatchModes,
	},
	{
		name: "gcs_sa", title: "Google Cloud Storage (service account)", model: "GCSSA", enterprise: true,
		fields:       append(append([]fieldSpec{}, gcsFamilyFields...), str("target_service_account_email")),
		importFields: objectImportFields, exportFields: canDeleteObjects,
		validateWritesCandidate: true,
		patchValidation:         gcsPatchModes,
	},
	{
		name: "azure_spi", title: "Microsoft Azure (service principal)", model: "AzureServicePrincipal", enterprise: true,
		fields: []fieldSpec{
			str("container"), str("prefix"), secretStr("account_name"),
			str("tenant_id"), str("client_id"), secretStr("client_secret"), secretStr("user_delegation_key"),
		},
		importFields: objectImportFields, exportFields: canDeleteObjects,
		fillSecretsOnValidate: true, fillEmptySecrets: true, validateWritesCandidate: true,
		patchValidation: gcsPatchModes,
	},
	{
		name: "databricks", title: "Databricks Files (Unity Catalog volume)", model: "Databricks", enterprise: true,
		fields: []fieldSpec{
			{name: "host", typ: typeString, required: true},
			{name: "catalog", typ: typeString, required: true},
			{name: "schema", typ: typeString, required: true},
			{name: "volume", typ: typeString, required: true},
			str("prefix"),
			{name: "auth_type", typ: typeString, choices: []string{"pat", "dbx_sp", "azure_ad_sp"}, modelDefault: "pat"},
			// Blank strings, not null, when unset (the reference's types).
			blankStr("token", true), blankStr("client_id", false), blankStr("client_secret", true), blankStr("tenant_id", false),
			{name: "verify_tls", typ: typeBool, modelDefault: true},
			{name: "request_timeout_s", typ: typeInt, min: 1, max: 3600, modelDefault: float64(30)},
			{name: "stream_chunk_bytes", typ: typeInt, min: 1, modelDefault: float64(8 << 20)},
		},
		// Presigned URLs are not supported: media is always proxied.
		importFields: []fieldSpec{
			{name: "presign", typ: typeBool, modelDefault: false},
			{name: "presign_ttl", typ: typeInt, min: 0, max: 32767, modelDefault: float64(1)},
			{name: "recursive_scan", typ: typeBool, modelDefault: false},
		},
		exportFields:            canDeleteObjects,
		fillSecretsOnValidate:   true,
		fillEmptySecrets:        true,
		validateWritesCandidate: true,
		validatesExport:         true,
		patchValidation:         map[string]patchMode{dirImport: patchMerged, dirExport: patchMerged},
	},
}

func init() { kinds = append(kinds, enterpriseKinds...) }

func blankStr(name string, secret bool) fieldSpec {
	return fieldSpec{name: name, typ: typeString, secret: secret, modelDefault: ""}
}
