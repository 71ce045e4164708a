package devserver

import (
	"encoding/json"
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	dirImport = "import"
	dirExport = "export"
)

// fieldType says how a body value is converted, the way the DRF field of
// the same kind does it.
type fieldType int

const (
	typeString fieldType = iota
	typeBool
	typeInt
	typeJSON
	typeDateTime
	typeStatus
	typeProject
	typeFloat
)

// fieldSpec describes one serializer field of a storage.
type fieldSpec struct {
	name     string
	typ      fieldType
	nullable bool
	maxLen   int
	min, max int64
	secret   bool
	// required on create and PUT.
	required bool
	// modelDefault is the value a create stores when the field is absent.
	modelDefault any
	// serializerDefault marks defaults the serializer itself applies, so
	// they also apply on PUT and validate-with-id (never on PATCH).
	serializerDefault bool
	// numberToString coerces a JSON number to its text (Redis port).
	numberToString bool
	// normalize rewrites the stored value (local files path).
	normalize func(string) string
	// choices restricts a string to these values (DRF ChoiceField).
	choices []string
	// notBlank refuses an empty string (a CharField without allow_blank).
	notBlank bool
}

// kindSpec is one storage kind: the table that drives every handler.
type kindSpec struct {
	name  string
	title string
	// model is the Django model stem, for 404 messages
	// ("No S3ImportStorage matches the given query.").
	model      string
	enterprise bool
	localFiles bool
	// fields are the kind's own fields in both directions.
	fields []fieldSpec
	// importFields and exportFields are the direction-only ones.
	importFields []fieldSpec
	exportFields []fieldSpec
	// hasBucket marks the S3 family: PATCH validates only with a bucket,
	// and the credential pair rules apply.
	hasBucket bool
	// fillSecretsOnValidate: the serializer fills secrets missing from a
	// validate-with-id body from the stored row; fillEmptySecrets also
	// fills empty ones (GCS, Azure).
	fillSecretsOnValidate bool
	fillEmptySecrets      bool
	// validateWritesCandidate: validate-with-id saves the body (API.md 4.4).
	validateWritesCandidate bool
	// patchValidation is how PATCH/PUT re-validate (API.md 4.3).
	patchValidation map[string]patchMode
	// validatesExport: the serializer tests export storages too (databricks).
	validatesExport bool
}

type patchMode int

const (
	patchNoCheck    patchMode = iota
	patchMerged               // the body merged onto the stored row
	patchWithBucket           // merged, only when the body has a bucket
	patchBodyAlone            // the body alone, defaults for the rest
)

var (
	presignFields = []fieldSpec{
		{name: "presign", typ: typeBool, modelDefault: true, serializerDefault: true},
		{name: "presign_ttl", typ: typeInt, min: 0, max: 32767, modelDefault: float64(1)},
	}
	// s3RecursiveScan is S3's field (2021), not nullable; gcs, azure and
	// localfiles got theirs in io_storages migration 0021 as
	// BooleanField(default=False, null=True), so they store and echo null
	// (the reference, testdata/openapi.yml, also types the Enterprise gcswif,
	// gcs_sa and azure_spi fields boolean or null, and s3s's boolean).
	s3RecursiveScan       = fieldSpec{name: "recursive_scan", typ: typeBool, modelDefault: false}
	nullableRecursiveScan = fieldSpec{name: "recursive_scan", typ: typeBool, nullable: true, modelDefault: false}
	s3ImportFields        = append(append([]fieldSpec{}, presignFields...), s3RecursiveScan)
	objectImportFields    = append(append([]fieldSpec{}, presignFields...), nullableRecursiveScan)
	canDeleteObjects      = []fieldSpec{{name: "can_delete_objects", typ: typeBool, nullable: true}}
	s3Fields              = []fieldSpec{
		str("bucket"), str("prefix"),
		secretStr("aws_access_key_id"), secretStr("aws_secret_access_key"), secretStr("aws_session_token"),
		str("aws_sse_kms_key_id"), str("region_name"), str("s3_endpoint"),
	}
	s3PatchModes = map[string]patchMode{dirImport: patchWithBucket, dirExport: patchWithBucket}
)

func str(name string) fieldSpec { return fieldSpec{name: name, typ: typeString, nullable: true} }
func secretStr(name string) fieldSpec {
	return fieldSpec{name: name, typ: typeString, nullable: true, secret: true}
}

// kinds lists every kind in Label Studio's order (the /types order).
var kinds = []*kindSpec{
	{
		name: "s3", title: "AWS S3", model: "S3", fields: s3Fields,
		importFields: s3ImportFields, exportFields: canDeleteObjects,
		hasBucket: true, fillSecretsOnValidate: true, patchValidation: s3PatchModes,
	},
	{
		name: "s3s", title: "AWS S3 (IAM role)", model: "S3S", enterprise: true,
		fields: append(append([]fieldSpec{}, s3Fields...),
			fieldSpec{name: "role_arn", typ: typeString, required: true},
			str("external_id"),
			fieldSpec{name: "legacy_auth", typ: typeBool, modelDefault: false}),
		importFields: s3ImportFields, exportFields: canDeleteObjects,
		hasBucket: true, fillSecretsOnValidate: true, patchValidation: s3PatchModes,
	},
	{
		name: "gcs", title: "Google Cloud Storage", model: "GCS",
		fields:       []fieldSpec{str("bucket"), str("prefix"), str("google_project_id"), secretStr("google_application_credentials")},
		importFields: objectImportFields, exportFields: canDeleteObjects,
		fillSecretsOnValidate: true, fillEmptySecrets: true, validateWritesCandidate: true,
		patchValidation: map[string]patchMode{dirImport: patchMerged, dirExport: patchNoCheck},
	},
	{
		name: "azure", title: "Microsoft Azure", model: "AzureBlob",
		fields:       []fieldSpec{str("container"), str("prefix"), secretStr("account_name"), secretStr("account_key")},
		importFields: objectImportFields, exportFields: canDeleteObjects,
		fillSecretsOnValidate: true, fillEmptySecrets: true, validateWritesCandidate: true,
		patchValidation: map[string]patchMode{dirImport: patchMerged, dirExport: patchNoCheck},
	},
	{
		name: "redis", title: "Redis", model: "Redis",
		fields: []fieldSpec{
			str("host"), {name: "port", typ: typeString, nullable: true, numberToString: true}, str("path"), secretStr("password"),
		},
		importFields:            []fieldSpec{{name: "db", typ: typeInt, min: 0, max: 32767, modelDefault: float64(1)}},
		exportFields:            append([]fieldSpec{{name: "db", typ: typeInt, min: 0, max: 32767, modelDefault: float64(2)}}, canDeleteObjects...),
		validateWritesCandidate: true,
		patchValidation:         map[string]patchMode{dirImport: patchBodyAlone, dirExport: patchNoCheck},
	},
	{
		name: "localfiles", title: "Local files", model: "LocalFiles", localFiles: true,
		fields:                  []fieldSpec{{name: "path", typ: typeString, nullable: true, normalize: normalizeLocalPath}},
		importFields:            []fieldSpec{nullableRecursiveScan},
		exportFields:            canDeleteObjects,
		validateWritesCandidate: true,
		patchValidation:         map[string]patchMode{dirImport: patchBodyAlone, dirExport: patchBodyAlone},
	},
}

// commonFields are every storage's fields (API.md 2), project excepted.
var commonFields = []fieldSpec{
	{name: "title", typ: typeString, nullable: true, maxLen: 256},
	{name: "description", typ: typeString, nullable: true},
	{name: "synchronizable", typ: typeBool, modelDefault: true, serializerDefault: true},
	{name: "regex_filter", typ: typeString, nullable: true},
	{name: "use_blob_urls", typ: typeBool, modelDefault: false},
	{name: "last_sync", typ: typeDateTime, nullable: true},
	{name: "last_sync_count", typ: typeInt, nullable: true, min: 0, max: math.MaxInt32},
	{name: "last_sync_job", typ: typeString, nullable: true, maxLen: 256},
	{name: "status", typ: typeStatus, modelDefault: statusInitialized},
	{name: "traceback", typ: typeString, nullable: true},
	{name: "meta", typ: typeJSON, nullable: true, modelDefault: map[string]any{}},
	{name: "project", typ: typeProject, required: true},
}

// Storage statuses (API.md 6.2).
const (
	statusInitialized         = "initialized"
	statusQueued              = "queued"
	statusInProgress          = "in_progress"
	statusFailed              = "failed"
	statusCompleted           = "completed"
	statusCompletedWithErrors = "completed_with_errors"
)

var statuses = []string{statusInitialized, statusQueued, statusInProgress, statusFailed, statusCompleted, statusCompletedWithErrors}

// kindSpec returns an enabled kind, nil for an unknown or disabled one.
func (s *Server) kindSpec(name string) *kindSpec {
	for _, k := range kinds {
		if k.name != name {
			continue
		}
		if k.enterprise && s.cfg.Edition != "enterprise" {
			return nil
		}
		if k.localFiles && !s.cfg.EnableLocalFilesStorage {
			return nil
		}
		return k
	}
	return nil
}

// fieldsOf is every field of a kind in one direction.
func (k *kindSpec) fieldsOf(dir string) []fieldSpec {
	out := append(append([]fieldSpec{}, commonFields...), k.fields...)
	if dir == dirImport {
		return append(out, k.importFields...)
	}
	return append(out, k.exportFields...)
}

func (k *kindSpec) modelName(dir string) string {
	if dir == dirImport {
		return k.model + "ImportStorage"
	}
	return k.model + "ExportStorage"
}

func (k *kindSpec) isSecret(name string) bool {
	for _, f := range k.fields {
		if f.name == name {
			return f.secret
		}
	}
	return false
}

func (k *kindSpec) secretNames() []string {
	var out []string
	for _, f := range k.fields {
		if f.secret {
			out = append(out, f.name)
		}
	}
	return out
}

// normalizeLocalPath is Label Studio's local-files path normalisation:
// trimmed, backslashes to slashes, then os.path.normpath.
func normalizeLocalPath(p string) string {
	p = strings.TrimSpace(strings.ReplaceAll(p, `\`, "/"))
	if p == "" {
		return p
	}
	cleaned := path.Clean(p)
	// normpath keeps exactly two leading slashes (POSIX), path.Clean does not.
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		cleaned = "/" + cleaned
	}
	return cleaned
}

// convert turns a body value into the stored value for f, or returns DRF's
// message for it.
func convert(f fieldSpec, v any) (any, string) {
	if v == nil {
		if f.nullable {
			return nil, ""
		}
		return nil, "This field may not be null."
	}
	switch f.typ {
	case typeString:
		var text string
		switch x := v.(type) {
		case string:
			text = x
		case json.Number:
			text = x.String()
		default:
			return nil, "Not a valid string."
		}
		if !f.secret && f.normalize == nil {
			text = strings.TrimSpace(text) // DRF CharField trims by default
		}
		if f.normalize != nil {
			text = f.normalize(text)
		}
		if f.notBlank && text == "" {
			return nil, "This field may not be blank."
		}
		if f.maxLen > 0 && len([]rune(text)) > f.maxLen {
			return nil, fmt.Sprintf("Ensure this field has no more than %d characters.", f.maxLen)
		}
		if len(f.choices) > 0 && !slices.Contains(f.choices, text) {
			return nil, fmt.Sprintf("%q is not a valid choice.", text)
		}
		return text, ""
	case typeBool:
		switch x := v.(type) {
		case bool:
			return x, ""
		case json.Number:
			switch x.String() {
			case "1":
				return true, ""
			case "0":
				return false, ""
			}
		case string:
			switch x {
			case "true", "True", "TRUE", "t", "T", "1", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON":
				return true, ""
			case "false", "False", "FALSE", "f", "F", "0", "no", "No", "NO", "n", "N", "off", "Off", "OFF":
				return false, ""
			}
		}
		return nil, "Must be a valid boolean."
	case typeInt:
		n, ok := toInt(v)
		if !ok {
			return nil, "A valid integer is required."
		}
		if n < f.min {
			return nil, fmt.Sprintf("Ensure this value is greater than or equal to %d.", f.min)
		}
		if f.max > 0 && n > f.max {
			return nil, fmt.Sprintf("Ensure this value is less than or equal to %d.", f.max)
		}
		return float64(n), ""
	case typeDateTime:
		text, ok := v.(string)
		if ok {
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04", "2006-01-02 15:04:05.999999-07:00"} {
				if t, err := time.Parse(layout, text); err == nil {
					return isoTime(t), ""
				}
			}
		}
		return nil, "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
	case typeStatus:
		text, _ := v.(string)
		for _, st := range statuses {
			if text == st {
				return text, ""
			}
		}
		return nil, fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(plainValue(v)))
	case typeJSON:
		return plainValue(v), ""
	case typeFloat:
		if f, ok := toFloat(v); ok {
			return f, ""
		}
		return nil, "A valid number is required."
	}
	return nil, "Unsupported field."
}

// toInt accepts what DRF's IntegerField accepts: integers, integral floats
// and strings of digits.
func toInt(v any) (int64, bool) {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = strings.TrimSpace(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
		return 0, false
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), true
	}
	return 0, false
}

// toFloat accepts what DRF's FloatField accepts: numbers and numeric
// strings, finite only.
func toFloat(v any) (float64, bool) {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = strings.TrimSpace(x)
	case float64:
		return x, !math.IsInf(x, 0) && !math.IsNaN(x)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// plainValue turns json.Number into float64 throughout a decoded value, so
// stored values are what encoding/json produces.
func plainValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainValue(e)
		}
		return out
	}
	return v
}

// botocore's bucket name rule (API.md 3.1).
var (
	bucketNameRe = regexp.MustCompile(`^[a-zA-Z0-9.\-_]{1,255}$`)
	bucketARNRe  = regexp.MustCompile(`^arn:(aws).*:(s3|s3-object-lambda):[a-z\-0-9]*:[0-9]{12}:accesspoint[/:][a-zA-Z0-9\-.]{1,63}$|^arn:(aws).*:s3-outposts:[a-z\-0-9]+:[0-9]{12}:outpost[/:][a-zA-Z0-9\-]{1,63}[/:]accesspoint[/:][a-zA-Z0-9\-]{1,63}$`)
)

func invalidBucketMessage(bucket string) string {
	return fmt.Sprintf(`Invalid bucket name %q: Bucket name must match the regex "%s" or be an ARN matching the regex "%s"`,
		bucket, bucketNameRe.String(), bucketARNRe.String())
}
