package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func runStringValidator(v validator.String, value string) (errs, warnings int, text string) {
	req := validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(value)}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), req, &resp)
	for _, d := range resp.Diagnostics {
		text += d.Summary() + ": " + d.Detail() + "\n"
	}
	return resp.Diagnostics.ErrorsCount(), resp.Diagnostics.WarningsCount(), text
}

func TestRegexFilterValidator(t *testing.T) {
	cases := []struct {
		pattern          string
		errors, warnings int
	}{
		{`.*\.jpg$`, 0, 0},
		{`images/(cats|dogs)/.*`, 0, 0},
		{`(?P<name>.*)\.png`, 0, 0},
		{`.*(?<!thumb)\.jpg`, 0, 1}, // lookbehind: Python only
		{`.*(?=\.jpg)`, 0, 1},       // lookahead: Python only
		{`(a)\1`, 0, 1},             // backreference: Python only
		{`(.*\.jpg`, 1, 0},          // unbalanced
		{`.*\.jpg)`, 1, 0},
		{`[a-`, 1, 0},
		{`*.jpg`, 1, 0},   // a glob, not a regex
		{`a{2,1}`, 1, 0},  // Python: "min repeat greater than max repeat"
		{`a{1001}`, 0, 1}, // above Go's limit of 1000, fine in Python
		{`a{1,1001}`, 0, 1},
	}
	for _, tc := range cases {
		errs, warns, text := runStringValidator(regexFilterValidator(), tc.pattern)
		if errs != tc.errors || warns != tc.warnings {
			t.Errorf("%q: %d errors, %d warnings (%s); want %d, %d", tc.pattern, errs, warns, text, tc.errors, tc.warnings)
		}
	}
}

func TestRegexAnchorWarning(t *testing.T) {
	cases := []struct {
		pattern, prefix string
		warn            bool
	}{
		{`.*\.jpg`, "", false},
		{`^.*\.jpg$`, "images/", false},
		{`images/.*\.jpg`, "images/", false},
		{`images/cats/.*`, "images", false},
		{`\.jpg$`, "", true},
		{`jpg`, "images/", true},
		{`cats/.*`, "images/", true},
	}
	for _, tc := range cases {
		msg := regexAnchorWarning(tc.pattern, tc.prefix)
		if (msg != "") != tc.warn {
			t.Errorf("regexAnchorWarning(%q, %q) = %q, want warning %v", tc.pattern, tc.prefix, msg, tc.warn)
		}
		if tc.warn && !strings.Contains(msg, "re.match") {
			t.Errorf("warning should explain the anchoring: %q", msg)
		}
	}
}

func TestNormalizeLocalPath(t *testing.T) {
	cases := map[string]string{
		"/data/x/":           "/data/x",
		" /data/x ":          "/data/x",
		`C:\data\images\`:    "C:/data/images",
		"/data//x/./y/../z/": "/data/x/z",
		"//srv/share/":       "//srv/share",
		"///srv":             "/srv",
		"/":                  "/",
	}
	for in, want := range cases {
		if got := normalizeLocalPath(in); got != want {
			t.Errorf("normalizeLocalPath(%q) = %q, want %q", in, got, want)
		}
	}
	equal, _ := newLocalPathValue("/data/x/").StringSemanticEquals(context.Background(), newLocalPathValue("/data/x"))
	if !equal {
		t.Error("/data/x/ and /data/x must be semantically equal")
	}
	equal, _ = newLocalPathValue("/data/x").StringSemanticEquals(context.Background(), newLocalPathValue("/data/y"))
	if equal {
		t.Error("/data/x and /data/y must differ")
	}
}

func TestFieldValidators(t *testing.T) {
	cases := []struct {
		name  string
		v     validator.String
		value string
		ok    bool
	}{
		{"bucket", bucketNameValidator(), "my-bucket.v2_x", true},
		{"bucket arn", bucketNameValidator(), "arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap", true},
		{"bucket with scheme", bucketNameValidator(), "s3://my-bucket", false},
		{"bucket with folder", bucketNameValidator(), "my-bucket/images", false},
		{"endpoint", httpURLValidator(), "http://127.0.0.1:9000", true},
		{"endpoint without scheme", httpURLValidator(), "minio.example.com:9000", false},
		{"endpoint ftp", httpURLValidator(), "ftp://minio.example.com", false},
		{"port", portValidator(), "6379", true},
		{"port zero", portValidator(), "0", false},
		{"port too big", portValidator(), "70000", false},
		{"port name", portValidator(), "redis", false},
		{"absolute path", absolutePathValidator(), "/data/images/", true},
		{"windows path", absolutePathValidator(), `D:\data`, true},
		{"relative path", absolutePathValidator(), "data/images", false},
		{"title", titleValidator(), strings.Repeat("é", 256), true},
		{"long title", titleValidator(), strings.Repeat("a", 257), false},
	}
	for _, tc := range cases {
		errs, _, text := runStringValidator(tc.v, tc.value)
		if (errs == 0) != tc.ok {
			t.Errorf("%s %q: errors=%d (%s), want ok=%v", tc.name, tc.value, errs, text, tc.ok)
		}
	}
}

// TestStoragePlanTimeValidation runs Terraform itself: every bad input is
// rejected before anything is planned, with an error naming the attribute.
// No server is needed: validation happens before the provider is configured.
func TestStoragePlanTimeValidation(t *testing.T) {
	provider := offlineProvider
	cases := []struct {
		name, config string
		want         string
	}{
		{"regex", `resource "labelstudio_s3_import_storage" "t" {
  project      = 1
  regex_filter = "(.*\\.jpg"
}`, `Invalid regex_filter`},
		{"presign_ttl", `resource "labelstudio_gcs_import_storage" "t" {
  project     = 1
  presign_ttl = 0
}`, `presign_ttl is in minutes and must be from 1 to 32767`},
		{"bucket", `resource "labelstudio_s3_export_storage" "t" {
  project = 1
  bucket  = "s3://bucket/folder"
}`, `Invalid bucket name`},
		{"key pair", `resource "labelstudio_s3_import_storage" "t" {
  project           = 1
  aws_access_key_id = "AKIAEXAMPLE"
}`, `aws_secret_access_key is\s+not`},
		{"session token alone", `resource "labelstudio_s3s_import_storage" "t" {
  project           = 1
  role_arn          = "arn:aws:iam::123456789012:role/ls"
  aws_session_token = "token"
}`, `aws_session_token needs aws_access_key_id and aws_secret_access_key`},
		{"secret and write-only", `resource "labelstudio_redis_import_storage" "t" {
  project             = 1
  password            = "a"
  password_wo         = "b"
  password_wo_version = 1
}`, `password_wo`},
		{"write-only without version", `resource "labelstudio_gcs_export_storage" "t" {
  project                           = 1
  google_application_credentials_wo = "{}"
}`, `google_application_credentials_wo_version`},
		{"local path", `resource "labelstudio_local_import_storage" "t" {
  project = 1
  path    = "data/images"
}`, `Local path must be absolute`},
		{"redis db 0", `resource "labelstudio_redis_export_storage" "t" {
  project = 1
  db      = 0
}`, `Redis database 0 cannot be used`},
		{"redis port", `resource "labelstudio_redis_import_storage" "t" {
  project = 1
  port    = "65536"
}`, `Invalid Redis port`},
		{"title", `resource "labelstudio_azure_blob_import_storage" "t" {
  project = 1
  title   = "` + strings.Repeat("t", 257) + `"
}`, `at most 256 characters`},
		{"endpoint", `resource "labelstudio_s3_import_storage" "t" {
  project     = 1
  s3_endpoint = "minio:9000"
}`, `Invalid endpoint URL`},
		{"role_arn required", `resource "labelstudio_s3s_export_storage" "t" {
  project = 1
}`, `role_arn`},
		{"presign on export", `resource "labelstudio_s3_export_storage" "t" {
  project = 1
  presign = true
}`, `presign`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      provider + tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
