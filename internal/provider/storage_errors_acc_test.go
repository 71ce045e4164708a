package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// checkNoStorages asserts that the project has no storage of the kind and
// direction: a failed connection check must create nothing.
func checkNoStorages(t *testing.T, c *client.Client, kind string, dir client.Direction, project int64) {
	t.Helper()
	list, err := c.ListStorages(t.Context(), kind, dir, project)
	if err != nil {
		t.Fatalf("list %s %s storages: %v", kind, dir, err)
	}
	if len(list) != 0 {
		t.Fatalf("a failed apply left %d %s %s storage(s) behind", len(list), kind, dir)
	}
}

// TestAccStorageApplyTimeValidation: when Label Studio's connection check
// fails, the apply fails with the server's reason on the attribute it names
// (or a remediation), and nothing is created.
func TestAccStorageApplyTimeValidation(t *testing.T) {
	cases := []struct {
		name    string
		options testenv.Options
		kind    string
		dir     client.Direction
		attrs   func(t *testing.T, env *testenv.Env) map[string]string
		want    string
	}{
		{
			name: "s3 import prefix without objects", kind: "s3", dir: client.Import,
			options: testenv.Options{S3TrustedDomains: []string{"127.0.0.1"}},
			attrs: func(t *testing.T, _ *testenv.Env) map[string]string {
				srv := testenv.S3(t)
				return map[string]string{
					"bucket":                hclString(srv.NewBucket(t)),
					"prefix":                hclString("empty"),
					"s3_endpoint":           hclString(srv.Endpoint),
					"aws_access_key_id":     hclString(srv.AccessKey),
					"aws_secret_access_key": hclString(srv.SecretKey),
				}
			},
			want: `not found`,
		},
		{
			name: "s3 export wrong secret key", kind: "s3", dir: client.Export,
			options: testenv.Options{S3TrustedDomains: []string{"127.0.0.1"}},
			attrs: func(t *testing.T, _ *testenv.Env) map[string]string {
				srv := testenv.S3(t)
				return map[string]string{
					"bucket":                           hclString(srv.NewBucket(t)),
					"s3_endpoint":                      hclString(srv.Endpoint),
					"aws_access_key_id":                hclString(srv.AccessKey),
					"aws_secret_access_key_wo":         hclString("wrong-secret-key-for-the-test"),
					"aws_secret_access_key_wo_version": "1",
				}
			},
			want: `Storage connection check failed; nothing was created`,
		},
		{
			name: "local path missing", kind: "local", dir: client.Import,
			attrs: func(t *testing.T, env *testenv.Env) map[string]string {
				root := testenv.LocalDir(t, env, "present")
				return map[string]string{"path": hclString(filepath.Join(filepath.Dir(root), "missing"))}
			},
			want: `(?s)with labelstudio_local_import_storage.test.*does not exist`,
		},
		{
			// label_studio/io_storages/localfiles: the path must lie below the document root.
			name: "local path outside the document root", kind: "local", dir: client.Import,
			attrs: func(t *testing.T, env *testenv.Env) map[string]string {
				return map[string]string{"path": hclString(t.TempDir())}
			},
			want: `(?s)strictly below the Label Studio server's\s+LOCAL_FILES_DOCUMENT_ROOT.*must be a\s+subdirectory of\s+LOCAL_FILES_DOCUMENT_ROOT`,
		},
		{
			name: "local files serving disabled", kind: "local", dir: client.Export,
			options: testenv.Options{LocalFilesServingDisabled: true},
			attrs: func(t *testing.T, env *testenv.Env) map[string]string {
				return map[string]string{"path": hclString(testenv.LocalDir(t, env, "export"))}
			},
			want: `(?s)LOCAL_FILES_SERVING_ENABLED=true.*LOCAL_FILES_DOCUMENT_ROOT`,
		},
		{
			name: "s3s on community edition", kind: "s3s", dir: client.Import,
			attrs: func(*testing.T, *testenv.Env) map[string]string {
				return map[string]string{
					"bucket":   hclString("bucket"),
					"role_arn": hclString("arn:aws:iam::123456789012:role/label-studio"),
				}
			},
			want: `labelstudio_s3s_import_storage needs Label Studio\s+Enterprise`,
		},
		{
			// A field error lands on the attribute the server names.
			name: "unknown project", kind: "local", dir: client.Export,
			attrs: func(t *testing.T, env *testenv.Env) map[string]string {
				return map[string]string{
					"project": "999999",
					"path":    hclString(testenv.LocalDir(t, env, "export")),
				}
			},
			want: `(?s)project = 999999.*Invalid pk`,
		},
		{
			name: "redis wrong password", kind: "redis", dir: client.Import,
			attrs: func(t *testing.T, _ *testenv.Env) map[string]string {
				srv := testenv.Redis(t)
				if srv.Password == "" {
					t.Skip("the redis server has no password")
				}
				return map[string]string{
					"host":     hclString(srv.Host),
					"port":     hclString(srv.Port),
					"password": hclString("not-the-password"),
				}
			},
			want: `Can't connect to Redis server`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			skipUnlessAcc(t)
			env := testenv.Start(t, tc.options)
			if env.Real && (tc.options.LocalFilesServingDisabled || len(tc.options.S3TrustedDomains) > 0 || tc.kind == "s3s") {
				t.Skip("needs a server setting the test cannot choose on a real Label Studio")
			}
			c := testClient(t, env)
			project := testProject(t, c)
			typeName := fmt.Sprintf("labelstudio_%s_%s_storage", tc.kind, tc.dir)
			attrs := withAttrs(map[string]string{"project": strconv.FormatInt(project, 10)}, tc.attrs(t, env))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      storageConfig(env, typeName, attrs),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			apiKind := storageAccCase{kind: tc.kind}.apiKind()
			if tc.kind == "s3s" {
				return // the route does not exist: there is nothing to list
			}
			checkNoStorages(t, c, apiKind, tc.dir, project)
		})
	}
}

// TestAccStorageSecretsNotLogged applies storages with secrets in both the
// stateful and the write-only attributes with TF_LOG=TRACE, and checks that
// no secret reaches Terraform's or the provider's log, including on a
// failed apply.
func TestAccStorageSecretsNotLogged(t *testing.T) {
	skipUnlessAcc(t)
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)

	env := testenv.Start(t, testenv.Options{S3TrustedDomains: []string{"127.0.0.1"}})
	c := testClient(t, env)
	project := testProject(t, c)
	s3 := testenv.S3(t)
	azure := testenv.Azure(t)
	bucket := s3.NewBucket(t)
	s3.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
	container := azure.NewContainer(t)
	wrongKey := "wrong-secret-key-that-must-not-be-logged"

	// The secrets reach Terraform as sensitive variables from the
	// environment: terraform-plugin-testing logs the configuration text
	// itself at TRACE, and this test is about what Terraform and the
	// provider log, not about the test harness.
	t.Setenv("TF_VAR_aws_access_key_id", s3.AccessKey)
	t.Setenv("TF_VAR_aws_secret_access_key", s3.SecretKey)
	t.Setenv("TF_VAR_azure_account_key", azure.AccountKey)
	t.Setenv("TF_VAR_wrong_secret_key", wrongKey)
	variables := `
variable "aws_access_key_id" {
  type      = string
  sensitive = true
}
variable "aws_secret_access_key" {
  type      = string
  sensitive = true
}
variable "azure_account_key" {
  type      = string
  sensitive = true
}
variable "wrong_secret_key" {
  type      = string
  sensitive = true
}
`
	config := testAccProviderConfig(env) + variables + fmt.Sprintf(`
resource "labelstudio_s3_import_storage" "stateful" {
  project               = %[1]d
  bucket                = %[2]s
  prefix                = "tasks"
  s3_endpoint           = %[3]s
  aws_access_key_id     = var.aws_access_key_id
  aws_secret_access_key = var.aws_secret_access_key
}

resource "labelstudio_azure_blob_export_storage" "write_only" {
  project                = %[1]d
  container              = %[4]s
  account_name           = %[5]s
  account_key_wo         = var.azure_account_key
  account_key_wo_version = 1
}
`, project, hclString(bucket), hclString(s3.Endpoint), hclString(container), hclString(azure.AccountName))
	failing := testAccProviderConfig(env) + variables + fmt.Sprintf(`
resource "labelstudio_s3_export_storage" "failing" {
  project               = %[1]d
  bucket                = %[2]s
  s3_endpoint           = %[3]s
  aws_access_key_id     = var.aws_access_key_id
  aws_secret_access_key = var.wrong_secret_key
}
`, project, hclString(bucket), hclString(s3.Endpoint))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: checkNoSecretInState([]string{azure.AccountKey})},
			{Config: failing, ExpectError: regexp.MustCompile(`Storage connection check failed`)},
		},
	})

	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("read the log: %v", err)
	}
	if !strings.Contains(string(logged), "/api/storages/s3/") {
		t.Fatal("the log does not show the provider's requests; TF_LOG_PATH did not capture them")
	}
	for name, secret := range map[string]string{
		"aws_access_key_id": s3.AccessKey, "aws_secret_access_key": s3.SecretKey,
		"account_key": azure.AccountKey, "wrong aws_secret_access_key": wrongKey,
	} {
		if line := firstLineWith(string(logged), secret); line != "" {
			t.Errorf("the TRACE log contains the %s: %s", name, line)
		}
	}
}

// firstLineWith returns the first line of text holding secret, with the
// secret masked and the line shortened, or "".
func firstLineWith(text, secret string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, secret) {
			line = strings.ReplaceAll(line, secret, "<secret>")
			if len(line) > 400 {
				line = line[:400] + "…"
			}
			return line
		}
	}
	return ""
}

// TestAccStorageCreateTimeout: timeouts.create bounds the connection check
// run before a create (S3 import, whose create does not test every failure);
// a check slower than that fails the apply with a hint and creates nothing.
func TestAccStorageCreateTimeout(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{S3TrustedDomains: []string{"127.0.0.1"}})
	env.Dev(t).AddFault(t, testenv.Fault{Method: "POST", Path: "^/api/storages/s3/validate$", Mode: "slow", DelayMS: 5000})
	c := testClient(t, env)
	project := testProject(t, c)
	s3 := testenv.S3(t)
	bucket := s3.NewBucket(t)
	s3.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
	attrs := map[string]string{
		"project":               strconv.FormatInt(project, 10),
		"bucket":                hclString(bucket),
		"prefix":                hclString("tasks"),
		"s3_endpoint":           hclString(s3.Endpoint),
		"aws_access_key_id":     hclString(s3.AccessKey),
		"aws_secret_access_key": hclString(s3.SecretKey),
		"timeouts":              `{ create = "1s" }`,
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      storageConfig(env, "labelstudio_s3_import_storage", attrs),
			ExpectError: regexp.MustCompile(`(?s)did not finish within the resource's timeouts\.create.*timeouts = { create`),
		}},
	})
	checkNoStorages(t, c, "s3", client.Import, project)
}

// TestAccStorageSlowCreateKept: where the create itself tests the
// connection (no check before it), a create outlasting timeouts.create runs
// to its answer, and the storage it made is in state: nothing is left
// behind that state does not know, and nothing is made twice.
func TestAccStorageSlowCreateKept(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	dev.AddFault(t, testenv.Fault{Method: "POST", Path: "^/api/storages/localfiles/?$", Mode: "slow", DelayMS: 2500, Count: 1})
	c := testClient(t, env)
	project := testProject(t, c)
	attrs := map[string]string{
		"project":  strconv.FormatInt(project, 10),
		"path":     hclString(testenv.LocalDir(t, env, "slow")),
		"timeouts": `{ create = "1s" }`,
	}
	const typeName = "labelstudio_local_import_storage"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: storageConfig(env, typeName, attrs),
			Check: resource.ComposeTestCheckFunc(
				checkServerMatchesState(typeName, func() ([]int64, error) {
					list, err := c.ListStorages(t.Context(), "localfiles", client.Import, project)
					ids := make([]int64, 0, len(list))
					for _, st := range list {
						ids = append(ids, st.ID)
					}
					return ids, err
				}),
				resource.TestCheckResourceAttrSet(typeName+".test", "id"),
			),
		}},
	})
	for route, n := range dev.RequestCounts(t) {
		if strings.HasSuffix(route, "/validate") {
			t.Errorf("the create was preceded by a connection check (%s: %d); Label Studio's create tests the path itself", route, n)
		}
	}
}

// TestAccStorageWriteOnlyVersion: a new write-only value alone changes
// nothing (Terraform never sees it); bumping its version sends it. A wrong
// key sent that way is caught by the connection check before the PATCH.
func TestAccStorageWriteOnlyVersion(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{S3TrustedDomains: []string{"127.0.0.1"}})
	c := testClient(t, env)
	project := testProject(t, c)
	s3 := testenv.S3(t)
	bucket := s3.NewBucket(t)
	config := func(secret string, version int) string {
		return storageConfig(env, "labelstudio_s3_export_storage", map[string]string{
			"project":                          strconv.FormatInt(project, 10),
			"bucket":                           hclString(bucket),
			"s3_endpoint":                      hclString(s3.Endpoint),
			"aws_access_key_id":                hclString(s3.AccessKey),
			"aws_secret_access_key_wo":         hclString(secret),
			"aws_secret_access_key_wo_version": strconv.Itoa(version),
		})
	}
	const wrong = "not-the-secret-key-of-the-test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(s3.SecretKey, 1)},
			{Config: config(wrong, 1), PlanOnly: true},
			{Config: config(wrong, 2), ExpectError: regexp.MustCompile(`Storage connection check failed; nothing was changed`)},
			{Config: config(s3.SecretKey, 3)},
		},
	})
}
