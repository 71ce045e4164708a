package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/storagepreview"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

const previewName = "data.labelstudio_s3_storage_preview.test"

// s3Connection is the connection part of an S3 storage or preview block.
func s3Connection(srv *testenv.S3Server, bucket string) string {
	return fmt.Sprintf(`
  bucket                = %s
  s3_endpoint           = %s
  region_name           = %s
  aws_access_key_id     = %s
  aws_secret_access_key = %s
`, hclString(bucket), hclString(srv.Endpoint), hclString(srv.Region), hclString(srv.AccessKey), hclString(srv.SecretKey))
}

func previewValue(name, attr string, want knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(name, tfjsonpath.New(attr), want)
}

// previewFixture is a stand-in with a project, and an empty MinIO bucket.
type previewFixture struct {
	env     *testenv.Env
	client  *client.Client
	project int64
	srv     *testenv.S3Server
	bucket  string
}

func newPreviewFixture(t *testing.T) previewFixture {
	t.Helper()
	skipUnlessAcc(t)
	f := previewFixture{env: testenv.Start(t, testenv.Options{}), srv: testenv.S3(t)}
	f.client = testClient(t, f.env)
	f.project = testProject(t, f.client)
	f.bucket = f.srv.NewBucket(t)
	return f
}

// TestAccS3PreviewAgreesWithSync: for a bucket with nested keys, folder
// markers, a prefix and a regex, the preview's object_count is the
// last_sync_count of a real sync of the same storage, recursive and not.
func TestAccS3PreviewAgreesWithSync(t *testing.T) {
	f := newPreviewFixture(t)
	env, project, srv, bucket := f.env, f.project, f.srv, f.bucket
	for _, key := range []string{
		"top.jpg", "images/", "images/1.jpg", "images/2.JPG", "images/3.jpeg", "images/readme.md",
		"images/2024/", "images/2024/4.jpg", "images/2024/05/5.jpg", "images/2024/05/6.png",
		"images-old/7.jpg", "thumbs/images/8.jpg",
	} {
		srv.Put(t, bucket, key, []byte("not really an image"))
	}

	var config strings.Builder
	config.WriteString(testAccProviderConfig(env))
	for _, c := range []struct {
		name, regex string
		recursive   bool
	}{
		{"flat", `(?i).*\.jpe?g`, false},
		{"recursive", `(?i).*\.jpe?g`, true},
		{"everything", "", true}, // folder markers are not objects
	} {
		name, regex := c.name, "null"
		if c.regex != "" {
			regex = hclString(c.regex)
		}
		settings := s3Connection(srv, bucket) + fmt.Sprintf(`
  prefix         = "images"
  regex_filter   = %s
  use_blob_urls  = true
  recursive_scan = %t
`, regex, c.recursive)
		fmt.Fprintf(&config, `
data "labelstudio_s3_storage_preview" %[1]q {%[2]s}

resource "labelstudio_s3_import_storage" %[1]q {
  project = %[3]d
%[2]s}

resource "labelstudio_storage_sync" %[1]q {
  storages = [{ kind = "s3", direction = "import", id = labelstudio_s3_import_storage.%[1]s.id }]
}
`, name, settings, project)
	}
	sameCount := func(name string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(
			"data.labelstudio_s3_storage_preview."+name, tfjsonpath.New("object_count"),
			"labelstudio_storage_sync."+name, tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("last_sync_count"),
			compare.ValuesSame())
	}
	keys := func(keys ...string) knownvalue.Check {
		checks := make([]knownvalue.Check, len(keys))
		for i, k := range keys {
			checks[i] = knownvalue.StringExact(k)
		}
		return knownvalue.ListExact(checks)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				previewValue("data.labelstudio_s3_storage_preview.flat", "object_count", knownvalue.Int64Exact(3)),
				previewValue("data.labelstudio_s3_storage_preview.flat", "keys", keys("images/1.jpg", "images/2.JPG", "images/3.jpeg")),
				previewValue("data.labelstudio_s3_storage_preview.recursive", "object_count", knownvalue.Int64Exact(5)),
				previewValue("data.labelstudio_s3_storage_preview.recursive", "keys",
					keys("images/1.jpg", "images/2.JPG", "images/2024/05/5.jpg", "images/2024/4.jpg", "images/3.jpeg")),
				previewValue("data.labelstudio_s3_storage_preview.recursive", "truncated", knownvalue.Bool(false)),
				previewValue("data.labelstudio_s3_storage_preview.everything", "object_count", knownvalue.Int64Exact(7)),
				sameCount("flat"),
				sameCount("recursive"),
				sameCount("everything"),
			},
		}},
	})
}

// TestAccS3PreviewChecksAndErrors: errors on the attribute to fix, and the
// documented precondition. The failing steps come first: the test's final
// destroy runs the last configuration.
func TestAccS3PreviewChecksAndErrors(t *testing.T) {
	f := newPreviewFixture(t)
	env, c, project, srv, bucket := f.env, f.client, f.project, f.srv, f.bucket
	srv.Put(t, bucket, "tasks/a.json", []byte(`{"text": "a"}`))
	srv.Put(t, bucket, "tasks/b.json", []byte(`{"text": "b"`))

	guarded := func(regex string) string {
		return testAccProviderConfig(env) + fmt.Sprintf(`
data "labelstudio_s3_storage_preview" "test" {%[1]s
  prefix       = "tasks"
  regex_filter = %[2]q
  presign      = false
}

resource "labelstudio_s3_import_storage" "test" {
  project = %[3]d
  prefix  = "tasks"
%[1]s
  lifecycle {
    precondition {
      condition     = data.labelstudio_s3_storage_preview.test.object_count > 0
      error_message = "The storage would import nothing: check prefix and regex_filter."
    }
  }
}
`, s3Connection(srv, bucket), regex, project)
	}
	noStorage := func() error {
		storages, err := c.ListStorages(t.Context(), "s3", client.Import, project)
		if err != nil || len(storages) != 0 {
			return fmt.Errorf("the precondition should have stopped the create: %d storages, %v", len(storages), err)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(env) + fmt.Sprintf(`
data "labelstudio_s3_storage_preview" "test" {%s}
`, s3Connection(srv, bucket+"-missing")),
				ExpectError: regexp.MustCompile(`(?s)Error: No such bucket.*bucket += "` + bucket + `-missing".*does not exist at`),
			},
			{
				Config: testAccProviderConfig(env) + fmt.Sprintf(`
data "labelstudio_s3_storage_preview" "test" {%s
  check_write = true
}
`, s3Connection(srv, bucket)),
				ExpectError: regexp.MustCompile(`check_write needs direction = "export"`),
			},
			{
				// re.match anchors at the key's start: "a\.json" selects nothing.
				Config:      guarded(`a\.json`),
				ExpectError: regexp.MustCompile(`(?s)Resource precondition failed.*would import nothing`),
			},
			{
				// The failed step created nothing.
				PreConfig: func() {
					if err := noStorage(); err != nil {
						t.Error(err)
					}
				},
				Config: guarded(`.*\.json`),
				ConfigStateChecks: []statecheck.StateCheck{
					previewValue(previewName, "object_count", knownvalue.Int64Exact(2)),
					previewValue(previewName, "task_file_errors", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"key":     knownvalue.StringExact("tasks/b.json"),
							"message": knownvalue.StringRegexp(regexp.MustCompile(`^not JSON`)),
						}),
					})),
					previewValue(previewName, "cors", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"status":  knownvalue.StringExact("not_needed"),
						"message": knownvalue.NotNull(),
					})),
				},
			},
		},
	})
}

// TestAccS3PreviewExportAndCORS: an export preview writes and removes its
// probe; an import preview evaluates the bucket's CORS rules (versitygw,
// which implements the bucket CORS API) for the provider's origin.
func TestAccS3PreviewExportAndCORS(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	srv := testenv.S3WithCORS(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "media/a.jpg", []byte("jpeg"))
	origin := strings.TrimRight(env.URL, "/")
	config := func() string {
		return testAccProviderConfig(env) + fmt.Sprintf(`
data "labelstudio_s3_storage_preview" "test" {%[1]s
  prefix        = "media"
  use_blob_urls = true
}

data "labelstudio_s3_storage_preview" "export" {%[1]s
  prefix      = "annotations"
  direction   = "export"
  check_write = true
}
`, s3Connection(srv, bucket))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(),
				ConfigStateChecks: []statecheck.StateCheck{
					previewValue(previewName, "cors", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"status":  knownvalue.StringExact("denied"),
						"message": knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(`{"AllowedOrigins":["` + origin + `"],"AllowedMethods":["GET"]`))),
					})),
					previewValue("data.labelstudio_s3_storage_preview.export", "write", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"status":  knownvalue.StringExact("ok"),
						"message": knownvalue.StringRegexp(regexp.MustCompile(`^Wrote and deleted annotations/labelstudio-write-check-`)),
					})),
					previewValue("data.labelstudio_s3_storage_preview.export", "object_count", knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					if keys := srv.Keys(t, bucket, ""); len(keys) != 1 {
						return fmt.Errorf("the write check left objects behind: %q", keys)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					srv.PutCORS(t, bucket, []types.CORSRule{{AllowedOrigins: []string{"http://127.0.0.1:*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"*"}}})
				},
				Config: config(),
				ConfigStateChecks: []statecheck.StateCheck{
					previewValue(previewName, "cors", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"status":  knownvalue.StringExact("allowed"),
						"message": knownvalue.StringExact("CORS rule 1 allows GET from " + origin + "."),
					})),
				},
			},
		},
	})
}

// TestAccS3PreviewEphemeral: the ephemeral resource takes its secret from an
// ephemeral variable, which the data source cannot, and its results drive a
// precondition that stops the plan.
func TestAccS3PreviewEphemeral(t *testing.T) {
	f := newPreviewFixture(t)
	f.srv.Put(t, f.bucket, "media/a.jpg", []byte("jpeg"))
	f.srv.Put(t, f.bucket, "media/b.jpg", []byte("jpeg"))
	config := func(wantCount int) string {
		return testAccProviderConfig(f.env) + fmt.Sprintf(`
variable "secret" {
  type      = string
  ephemeral = true
}

ephemeral "labelstudio_s3_storage_preview" "test" {
  bucket                = %[1]s
  s3_endpoint           = %[2]s
  region_name           = %[3]s
  aws_access_key_id     = %[4]s
  aws_secret_access_key = var.secret
  prefix                = "media"
  use_blob_urls         = true
}

# Conditions go on another object: Terraform 1.11's "terraform show -json"
# crashes on the check results of an ephemeral resource's own conditions.
resource "terraform_data" "after_the_preview" {
  input = "previewed"

  lifecycle {
    precondition {
      condition     = ephemeral.labelstudio_s3_storage_preview.test.object_count == %[5]d && ephemeral.labelstudio_s3_storage_preview.test.keys[0] == "media/a.jpg" && ephemeral.labelstudio_s3_storage_preview.test.cors.status == "cannot_check"
      error_message = "The preview found another count." # a message may not show ephemeral values
    }
  }
}
`, hclString(f.bucket), hclString(f.srv.Endpoint), hclString(f.srv.Region), hclString(f.srv.AccessKey), wantCount)
	}
	secret := tfconfig.Variables{"secret": tfconfig.StringVariable(f.srv.SecretKey)}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(3), ConfigVariables: secret, ExpectError: regexp.MustCompile(`(?s)Resource precondition failed.*object_count == 3`)},
			{Config: config(2), ConfigVariables: secret},
		},
	})
}

// TestAccS3PreviewHidesSecrets: a preview that fails (an access key MinIO
// does not know) names the attribute to fix and shows no part of the access
// key ID, the secret key or the session token, all sensitive. The
// credentials come from sensitive variables so that Terraform's own source
// snippet cannot show them either.
func TestAccS3PreviewHidesSecrets(t *testing.T) {
	f := newPreviewFixture(t)
	secrets := map[string]string{
		"access_key_id": "PREVIEWUNKNOWNKEY0042",
		"secret_key":    f.srv.SecretKey,
		"session_token": "previewSessionToken/0042+value",
	}
	config := testAccProviderConfig(f.env) + fmt.Sprintf(`
variable "access_key_id" {
  type      = string
  sensitive = true
}
variable "secret_key" {
  type      = string
  sensitive = true
}
variable "session_token" {
  type      = string
  sensitive = true
}

data "labelstudio_s3_storage_preview" "test" {
  bucket                = %s
  s3_endpoint           = %s
  region_name           = %s
  aws_access_key_id     = var.access_key_id
  aws_secret_access_key = var.secret_key
  aws_session_token     = var.session_token
}
`, hclString(f.bucket), hclString(f.srv.Endpoint), hclString(f.srv.Region))
	variables := tfconfig.Variables{}
	for name, value := range secrets {
		variables[name] = tfconfig.StringVariable(value)
	}

	failed := false
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		ErrorCheck: func(err error) error {
			failed = true
			shown := err.Error()
			if !regexp.MustCompile(`(?s)Error: Unknown access key.*aws_access_key_id`).MatchString(shown) {
				return fmt.Errorf("want an Unknown access key error naming aws_access_key_id, got: %w", err)
			}
			for name, value := range secrets {
				if part := secretPartShown(shown, value); part != "" {
					return fmt.Errorf("the diagnostics show %q of %s: %s", part, name, shown)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{{Config: config, ConfigVariables: variables}},
	})
	if !failed {
		t.Error("the preview with an unknown access key did not fail")
	}
}

// secretPartShown is the first run of 8 characters of secret found in
// shown, or "".
func secretPartShown(shown, secret string) string {
	const window = 8
	for i := 0; i+window <= len(secret); i++ {
		if part := secret[i : i+window]; strings.Contains(shown, part) {
			return part
		}
	}
	return ""
}

// TestPreviewErrorRedacts: a server or SDK message that quotes a credential
// (here a JSON-escaped secret key) reaches the diagnostics without it.
func TestPreviewErrorRedacts(t *testing.T) {
	keyID, secretKey := "AKIAPREVIEWTEST0042", "preview/secret+key"
	secrets := redact.New([]string{keyID, secretKey, ""})
	for _, err := range []error{
		&storagepreview.Error{Field: "bucket", Summary: "Cannot list the bucket", Detail: `server answered: {"key": "` + keyID + `", "secret": "preview\/secret+key"}`},
		fmt.Errorf("operation error S3: ListObjectsV2, credentials %s:%s refused", keyID, secretKey),
	} {
		var diags diag.Diagnostics
		addPreviewError(&diags, err, secrets)
		for _, d := range diags {
			shown := d.Summary() + " " + d.Detail()
			if strings.Contains(shown, "AKIAPREVIEW") || strings.Contains(shown, "secret+key") || !strings.Contains(shown, redact.Placeholder) {
				t.Errorf("the diagnostic shows a secret or was not redacted: %s", shown)
			}
		}
		if len(diags) != 1 {
			t.Errorf("want one diagnostic for %v, got %d", err, len(diags))
		}
	}
}

// TestAccS3PreviewRejectsBrokenRegex: the preview refuses at validation
// the patterns the storage resources refuse, e.g. a{3,2}, which Python
// rejects too ("min repeat greater than max repeat"); both the data source
// and the ephemeral resource, before any request to the bucket.
func TestAccS3PreviewRejectsBrokenRegex(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	var steps []resource.TestStep
	for _, block := range []string{"data", "ephemeral"} {
		for _, pattern := range []string{`a{3,2}`, `(.*\.jpg`} {
			steps = append(steps, resource.TestStep{
				Config: testAccProviderConfig(env) + fmt.Sprintf(`
%s "labelstudio_s3_storage_preview" "test" {
  bucket       = "preview-regex"
  s3_endpoint  = "http://127.0.0.1:1"
  regex_filter = %s
}
`, block, hclString(pattern)),
				ExpectError: regexp.MustCompile(`(?s)Error: Invalid regex_filter.*is not a regular expression`),
			})
		}
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// TestPreviewRegexFilterIsTheStorages: the preview's regex_filter is
// validated exactly as the storage resources' is.
func TestPreviewRegexFilterIsTheStorages(t *testing.T) {
	var preview []validator.String
	for _, a := range previewAttributes {
		if a.name == "regex_filter" {
			preview = a.strings
		}
	}
	for _, pattern := range []string{`.*\.jpg$`, `.*(?<!thumb)\.jpg`, `(a)\1`, `(.*\.jpg`, `*.jpg`, `a{2,1}`, `a{3,2}`, `a{1001}`} {
		wantErrs, wantWarns, _ := runStringValidator(regexFilterValidator(), pattern)
		errs, warns := 0, 0
		for _, v := range preview {
			e, w, _ := runStringValidator(v, pattern)
			errs, warns = errs+e, warns+w
		}
		if errs != wantErrs || warns != wantWarns {
			t.Errorf("%q: the preview gives %d errors, %d warnings; the storage %d, %d", pattern, errs, warns, wantErrs, wantWarns)
		}
	}
}
