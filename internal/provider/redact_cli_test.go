package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// redactionCase is one storage kind and direction behind a server that
// repeats request bodies in its error messages.
type redactionCase struct {
	kind    string // the table's typeName
	dir     client.Direction
	options testenv.Options
	// setup returns the storage's plain attributes (HCL), its secrets (by
	// field name; each is configured through its write-only attribute) and
	// the substrings of them that must appear nowhere.
	setup func(t *testing.T) (attrs, secrets map[string]string, needles []string)
}

func redactionCases() []redactionCase {
	return []redactionCase{
		{kind: "s3", dir: client.Import, setup: s3RedactionSetup},
		{kind: "s3s", dir: client.Export, setup: s3RedactionSetup, options: testenv.Options{Edition: "enterprise"}},
		{kind: "gcs", dir: client.Import, setup: gcsRedactionSetup},
		{kind: "gcs", dir: client.Export, setup: gcsRedactionSetup},
		{kind: "azure_blob", dir: client.Export, setup: azureRedactionSetup},
		{kind: "redis", dir: client.Import, setup: redisRedactionSetup},
	}
}

func s3RedactionSetup(t *testing.T) (map[string]string, map[string]string, []string) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
	attrs := map[string]string{
		"bucket":      hclString(bucket),
		"prefix":      hclString("tasks"),
		"s3_endpoint": hclString(srv.Endpoint),
		"region_name": hclString(srv.Region),
		"role_arn":    hclString("arn:aws:iam::123456789012:role/label-studio"),
	}
	secrets := map[string]string{"aws_access_key_id": srv.AccessKey, "aws_secret_access_key": srv.SecretKey}
	return attrs, secrets, secretNeedles(srv.AccessKey, srv.SecretKey)
}

func gcsRedactionSetup(t *testing.T) (map[string]string, map[string]string, []string) {
	srv := testenv.GCS(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
	attrs := map[string]string{"bucket": hclString(bucket), "prefix": hclString("tasks"), "google_project_id": hclString("redact-test")}
	// The emulator checks no credentials; the document's secret fields are
	// what must not leak (its project_id and client_email are no secret).
	needles := []string{"KeyLineOneXyzAbcDefGhiJklMnoPqr", "KeyLineTwoQwertyUiopAsdfGhjklZxcvbnm", "keyidZyxwvutsrqponmlk", "clientSecretPoiuytrewq"}
	return attrs, map[string]string{"google_application_credentials": testCredentials}, needles
}

func azureRedactionSetup(t *testing.T) (map[string]string, map[string]string, []string) {
	srv := testenv.Azure(t)
	container := srv.NewContainer(t)
	srv.Put(t, container, "tasks/one.json", []byte(accTaskJSON))
	attrs := map[string]string{"container": hclString(container), "prefix": hclString("tasks"), "account_name": hclString(srv.AccountName)}
	return attrs, map[string]string{"account_key": srv.AccountKey}, secretNeedles(srv.AccountKey)
}

func redisRedactionSetup(t *testing.T) (map[string]string, map[string]string, []string) {
	srv := testenv.Redis(t)
	if srv.Password == "" {
		t.Skip("the redis server has no password to leak (LSTEST_REDIS_PASSWORD is empty)")
	}
	attrs := map[string]string{"host": hclString(srv.Host), "port": hclString(srv.Port), "path": hclString(testenv.UniqueName(t, "redact:"))}
	return attrs, map[string]string{"password": srv.Password}, secretNeedles(srv.Password)
}

// redactionConfig is a storage whose secrets come from sensitive variables
// through write-only attributes (so nothing may reach state), optionally
// with a sync of it.
func redactionConfig(tc redactionCase, project int64, attrs, secrets map[string]string, title string, withSync bool) string {
	var b strings.Builder
	b.WriteString(cliTerraformBlock)
	names := make([]string, 0, len(secrets))
	for name := range secrets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "\nvariable %q {\n  type      = string\n  sensitive = true\n}\n", name)
	}
	resourceType := "labelstudio_" + storageTypeName(kindByTypeName(tc.kind), tc.dir)
	fmt.Fprintf(&b, "\nresource %q \"test\" {\n  project = %d\n  title   = %s\n", resourceType, project, hclString(title))
	attrNames := make([]string, 0, len(attrs))
	for name := range attrs {
		if tc.kind == "s3" && name == "role_arn" {
			continue // s3s only
		}
		attrNames = append(attrNames, name)
	}
	sort.Strings(attrNames)
	for _, name := range attrNames {
		fmt.Fprintf(&b, "  %s = %s\n", name, attrs[name])
	}
	for _, name := range names {
		fmt.Fprintf(&b, "  %s = var.%s\n  %s = 1\n", writeOnlyName(name), name, versionName(name))
	}
	b.WriteString("}\n")
	if withSync {
		fmt.Fprintf(&b, "\nresource \"labelstudio_storage_sync\" \"test\" {\n  storages = [{ kind = %[1]s.test.type, direction = %[2]q, id = %[1]s.test.id }]\n}\n", resourceType, tc.dir)
	}
	return b.String()
}

func kindByTypeName(typeName string) storageKind {
	for _, k := range storageKinds {
		if k.typeName == typeName {
			return k
		}
	}
	panic("unknown kind " + typeName)
}

// testCLIRedaction runs terraform with TRACE logging against a stand-in
// whose error messages repeat the request body, and checks that no form of
// any secret reaches the output, the log or the state, on every request
// that carries secrets (create, validate before it where the create does
// not test the connection, validate and PATCH) and on a failing sync.
func testCLIRedaction(t *testing.T, terraformPath, cliConfig string) {
	for _, tc := range redactionCases() {
		t.Run(tc.kind+"_"+string(tc.dir), func(t *testing.T) {
			env := testenv.Start(t, tc.options)
			dev := env.Dev(t)
			c := testClient(t, env)
			project := testProject(t, c)
			attrs, secrets, needles := tc.setup(t)
			kind := kindByTypeName(tc.kind)
			collection := "^/api/storages/" + kind.apiKind + "/?$"
			if tc.dir == client.Export {
				collection = "^/api/storages/export/" + kind.apiKind + "/?$"
			}
			validate := strings.TrimSuffix(strings.TrimSuffix(collection, "/?$"), "/") + "/validate/?$"

			w := newCLIWorkdir(t, terraformPath, cliConfig, env)
			logPath := filepath.Join(w.dir, "trace.log")
			w.env = append(w.env, "TF_LOG=TRACE", "TF_LOG_PATH="+logPath)
			for name, value := range secrets {
				w.env = append(w.env, "TF_VAR_"+name+"="+value)
			}
			w.run(0, "init")

			check := func(step, output string) {
				t.Helper()
				logText, err := os.ReadFile(logPath)
				if err != nil {
					t.Fatalf("%s: read the TRACE log: %v", step, err)
				}
				// Terraform appends: start each step's log afresh.
				if err := os.Remove(logPath); err != nil {
					t.Fatalf("%s: remove the TRACE log: %v", step, err)
				}
				var stateText []byte
				for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
					if data, err := os.ReadFile(filepath.Join(w.dir, name)); err == nil {
						stateText = append(stateText, data...)
					}
				}
				for what, text := range map[string]string{"output": output, "TRACE log": string(logText), "state": string(stateText)} {
					if i, found := findSecret(text, needles); found {
						t.Errorf("%s: the %s holds part #%d of a secret", step, what, i)
					}
				}
			}
			failingApply := func(step string, fault testenv.Fault, title string, withSync bool) {
				t.Helper()
				dev.ClearFaults(t)
				dev.AddFault(t, fault)
				w.writeFile("main.tf", redactionConfig(tc, project, attrs, secrets, title, withSync))
				output := w.run(1, "apply", "-auto-approve")
				if fault.Path != "/sync$" && !wrappedText("Cannot process the request body").MatchString(output) {
					t.Errorf("%s: the echoed body never reached the output, so nothing was tested:\n%s", step, output)
				}
				check(step, output)
			}

			if !(&storageRow{kind: kind, dir: tc.dir}).createChecksConnection() {
				// Only where Label Studio's create does not test the connection itself.
				failingApply("validate before create", testenv.Fault{Method: "POST", Path: validate, Mode: "echo"}, "redaction", false)
			}
			failingApply("create", testenv.Fault{Method: "POST", Path: collection, Mode: "echo"}, "redaction", false)
			dev.ClearFaults(t)
			w.writeFile("main.tf", redactionConfig(tc, project, attrs, secrets, "redaction", false))
			check("successful create", w.run(0, "apply", "-auto-approve"))
			failingApply("validate before update", testenv.Fault{Method: "POST", Path: validate, Mode: "echo"}, "redaction updated", false)
			failingApply("update", testenv.Fault{Method: "PATCH", Path: "/[0-9]+/?$", Mode: "echo"}, "redaction updated", false)
			failingApply("sync", testenv.Fault{Method: "POST", Path: "/sync$", Mode: "echo"}, "redaction", true)
			dev.ClearFaults(t)
			check("destroy", w.run(0, "destroy", "-auto-approve"))
		})
	}
}
