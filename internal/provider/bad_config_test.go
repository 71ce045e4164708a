package provider

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// badConfigMarker ends the line a case's error must point at.
const badConfigMarker = "# <- error"

// badConfig is one configuration that must fail at plan time, with the
// error on the marked line: Terraform shows an error there when the
// provider puts it on that attribute.
type badConfig struct {
	name string
	hcl  string // one block; the line of the expected error ends in badConfigMarker
	want string // regular expression on the error's summary and detail
	// inNested: the attribute is inside a nested attribute. Terraform 1.11
	// and OpenTofu place such an error on the resource block (their
	// tfdiags.ElaborateFromConfigBody follows nested blocks only), newer
	// Terraform on the attribute's line; either is accepted, so want must
	// name the attribute's whole path.
	inNested bool
}

// badConfigs is the table: every storage type, the project, the sync
// resource and the provider, each with inputs Label Studio would reject or
// that cannot mean anything.
func badConfigs(project int64) (resources, providers []badConfig) {
	long := strings.Repeat("t", 257)
	for _, k := range storageKinds {
		for _, dir := range []client.Direction{client.Import, client.Export} {
			typeName := "labelstudio_" + storageTypeName(k, dir)
			base := fmt.Sprintf("  project = %d\n", project)
			switch k.typeName {
			case "s3s":
				base += "  role_arn = \"arn:aws:iam::123456789012:role/ls\"\n"
			case "local":
				base += "  path = \"/data/in\"\n"
			case "databricks":
				base += "  host = \"https://dbc-1.cloud.databricks.com\"\n  catalog = \"main\"\n  schema = \"raw\"\n  volume = \"images\"\n  token = \"dapi\"\n"
			}
			add := func(name, line, want string) {
				// The bad value replaces a valid one of base.
				attrName := strings.Fields(line)[0]
				var body strings.Builder
				for _, l := range strings.SplitAfter(base, "\n") {
					if !strings.HasPrefix(l, "  "+attrName+" ") {
						body.WriteString(l)
					}
				}
				resources = append(resources, badConfig{
					name: typeName + " " + name,
					hcl:  fmt.Sprintf("resource %q \"t\" {\n%s  %s %s\n}\n", typeName, body.String(), line, badConfigMarker),
					want: want,
				})
			}
			add("title too long", `title = "`+long+`"`, `at most 256 characters`)
			add("regex min above max", `regex_filter = "a{2,1}"`, `Invalid regex_filter`)
			add("regex unbalanced", `regex_filter = "(.*\\.jpg"`, `Invalid regex_filter`)
			add("timeouts.create not a duration", `timeouts = { create = "soon" }`, `timeouts\.create = "soon"`)
			add("timeouts.delete zero", `timeouts = { delete = "0s" }`, `timeouts\.delete = "0s"`)
			add("timeouts.update negative", `timeouts = { update = "-5m" }`, `timeouts\.update = "-5m"`)
			// project is the first line of base; these replace it.
			withProject := func(name, value, want string) {
				body := strings.Replace(base, fmt.Sprintf("  project = %d\n", project), "", 1)
				resources = append(resources, badConfig{
					name: typeName + " " + name,
					hcl:  fmt.Sprintf("resource %q \"t\" {\n%s  project = %s %s\n}\n", typeName, body, value, badConfigMarker),
					want: want,
				})
			}
			withProject("project too large", "99999999999999999999999", `project: 99999999999999999999999 does not fit`)
			withProject("project not whole", "1.5", `project: 1.5 is not a whole number`)
			switch k.typeName {
			case "s3", "s3s", "gcs", "gcs_sa":
				add("bucket with scheme", `bucket = "s3://bucket/folder"`, `Invalid bucket name`)
			case "gcswif":
				add("bucket with scheme", `bucket = "gs://bucket/folder"`, `Invalid bucket name`)
				add("project id as number", `google_project_number = "acme-ml"`, `not a Google project number`)
				add("pool resource name", `google_wif_pool_id = "projects/1/locations/global/workloadIdentityPools/ls"`, `workload\s+identity pool`)
			case "azure_spi":
				add("tenant domain", `tenant_id = "contoso.onmicrosoft.com"`, `is not a UUID`)
				add("client not a uuid", `client_id = "label-studio"`, `is not a UUID`)
			case "databricks":
				add("host without scheme", `host = "dbc-1.cloud.databricks.com"`, `Invalid Databricks host`)
				add("volume path", `volume = "images/raw"`, `Invalid Unity Catalog name`)
				add("auth_type unknown", `auth_type = "oauth"`, `is not an authentication method`)
				add("request_timeout_s 0", `request_timeout_s = 0`, `must be at least 1`)
			case "redis":
				add("port out of range", `port = "70000"`, `Invalid Redis port`)
				add("db 0", `db = 0`, `Redis database 0`)
				add("db too large", `db = 1e20`, `db: 100000000000000000000 does not fit`)
			case "local":
				add("relative path", `path = "data/in"`, `Local path must be absolute`)
			}
			if k.typeName == "s3" || k.typeName == "s3s" {
				add("endpoint without scheme", `s3_endpoint = "minio:9000"`, `Invalid endpoint URL`)
			}
			if dir == client.Import && k.typeName != "redis" && k.typeName != "local" {
				add("presign_ttl 0", `presign_ttl = 0`, `presign_ttl is in minutes`)
				add("presign_ttl too large", `presign_ttl = 1e40`, `presign_ttl: 1\d+ does not fit`)
			}
		}
	}

	projectCase := func(name, line, want string) {
		resources = append(resources, badConfig{
			name: "labelstudio_project " + name,
			hcl:  fmt.Sprintf("resource \"labelstudio_project\" \"t\" {\n  %s %s\n}\n", line, badConfigMarker),
			want: want,
		})
	}
	projectCase("maximum_annotations too large", `maximum_annotations = 99999999999999999999999`, `maximum_annotations: 99999999999999999999999 does not fit`)
	projectCase("maximum_annotations not whole", `maximum_annotations = 2.5`, `maximum_annotations: 2.5 is not a whole number`)
	projectCase("min_annotations_to_start_training too large", `min_annotations_to_start_training = -1e30`, `does not fit`)
	projectCase("timeouts.create not a duration", `timeouts = { create = "soon" }`, `timeouts\.create = "soon"`)
	projectCase("timeouts.read with a space", `timeouts = { read = "1 hour" }`, `timeouts\.read = "1 hour"`)
	projectCase("title too short", `title = "ab"`, `title`)
	projectCase("overlap_cohort_percentage above 100", `overlap_cohort_percentage = 101`, `overlap_cohort_percentage[\s\S]*between 0 and 100`)
	projectCase("overlap_cohort_percentage negative", `overlap_cohort_percentage = -1`, `overlap_cohort_percentage[\s\S]*between 0 and 100`)
	projectCase("task_data_login too long", fmt.Sprintf(`task_data_login = %q`, strings.Repeat("l", 257)), `task_data_login[\s\S]*at most 256`)
	projectCase("task_data_password too long", fmt.Sprintf(`task_data_password = %q`, strings.Repeat("p", 257)), `task_data_password[\s\S]*at most 256`)
	projectCase("task_data_password_wo too long", fmt.Sprintf("task_data_password_wo_version = 1\n  task_data_password_wo = %q", strings.Repeat("p", 257)), `task_data_password_wo[\s\S]*at most 256`)
	projectCase("control_weights not JSON", `control_weights = "{pet"`, `control_weights[\s\S]*JSON`)
	projectCase("control_weights without the config's labels", `label_config = "<View><Text name=\"t\" value=\"$t\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"A\"/></Choices></View>"
  control_weights = jsonencode({ c = { type = "Choices", overall = 1, labels = {} } })`, `control_weights[\s\S]*"A":1`)
	projectCase("label_config not XML", `label_config = "<View><Image name=\"i\" value=\"$image\"></View>"`, `label_config`)

	// Webhooks: what Label Studio's webhook model and serializer refuse
	// (label_studio/webhooks/models.py HEADERS_SCHEMA, validate_actions;
	// the URLField's Django validator).
	webhookCase := func(name, line, want string) {
		resources = append(resources, badConfig{
			name: "labelstudio_webhook " + name,
			hcl: fmt.Sprintf("resource \"labelstudio_webhook\" \"t\" {\n  project = %d\n  url     = \"https://hooks.example.com/ls\"\n  %s %s\n}\n",
				project, line, badConfigMarker),
			want: want,
		})
	}
	webhookCase("header name with a space", `headers = { "X Token" = "t" }`, `letters, digits`)
	webhookCase("eleven headers", `headers = { `+elevenHeaders()+` }`, `at most 10`)
	webhookCase("write-only header name with a dot", "headers_wo_version = 1\n  "+`headers_wo = { "x.token" = "t" }`, `letters, digits`)
	webhookCase("unknown action", `actions = ["TASK_CREATED"]`, `TASK_CREATED`)
	webhookCase("organisation-level action", `actions = ["TASKS_CREATED", "PROJECT_CREATED"]`, `PROJECT_CREATED is an organisation-level action`)
	webhookCase("timeouts.create not a duration", `timeouts = { create = "soon" }`, `timeouts\.create = "soon"`)
	resources = append(resources,
		badConfig{
			name: "labelstudio_webhook url with a single-label host",
			hcl:  fmt.Sprintf("resource \"labelstudio_webhook\" \"t\" {\n  project = %d\n  url     = \"http://ml-backend:9090/hook\" %s\n}\n", project, badConfigMarker),
			want: `single-label host name "ml-backend".*dotted name.*IP address`,
		},
		badConfig{
			name: "labelstudio_webhook url without a scheme",
			hcl:  fmt.Sprintf("resource \"labelstudio_webhook\" \"t\" {\n  project = %d\n  url     = \"hooks.example.com/ls\" %s\n}\n", project, badConfigMarker),
			want: `not an absolute URL`,
		},
	)

	// Views: what Label Studio's view serializer refuses or the data
	// manager does not know (label_studio/data_manager/serializers.py
	// FilterSerializer.validate_column, prepare_params.py Operator, Type and
	// ordering_schema, managers.py hiddenColumns).
	addView := func(name, line, want string, inNested bool) {
		resources = append(resources, badConfig{
			name:     "labelstudio_view " + name,
			hcl:      fmt.Sprintf("resource \"labelstudio_view\" \"t\" {\n  project = %d\n  title   = \"Tab\"\n  %s %s\n}\n", project, line, badConfigMarker),
			want:     want,
			inNested: inNested,
		})
	}
	viewCase := func(name, line, want string) { addView(name, line, want, false) }
	viewNestedCase := func(name, line, want string) { addView(name, line, want, true) }
	viewFilter := func(item string) string {
		return `filters = { conjunction = "and", items = [{ ` + item + ` }] }`
	}
	viewCase("type not list or grid", `type = "table"`, `Attribute type value must be one of: \["list" "grid"\]`)
	viewCase("target not tasks or annotations", `target = "projects"`, `Attribute target value must be one of: \["tasks" "annotations"\]`)
	viewNestedCase("conjunction xor", `filters = { conjunction = "xor", items = [{ filter = "filter:tasks:id", operator = "equal", type = "Number", value = "1" }] }`, `Attribute filters\.conjunction value must be one of: \["and" "or"\]`)
	viewNestedCase("filters without items", `filters = { conjunction = "and", items = [] }`, `filters\.items.*at least 1`)
	viewNestedCase("filter on an annotations column", viewFilter(`filter = "filter:annotations:id", operator = "equal", type = "Number", value = "1"`),
		`filters\.items\[0\]\.filter.*filter:tasks:<column>.*filter:annotations: included`)
	viewNestedCase("filter without the filter: prefix", viewFilter(`filter = "tasks:data.image", operator = "contains", type = "String", value = jsonencode("cat")`),
		`filters\.items\[0\]\.filter.*filter:tasks:<column>`)
	viewNestedCase("unknown operator", viewFilter(`filter = "filter:tasks:data.text", operator = "like", type = "String", value = jsonencode("cat")`), `Attribute filters\.items\[0\]\.operator value must be one of: \["equal"`)
	viewNestedCase("unknown value type", viewFilter(`filter = "filter:tasks:data.text", operator = "contains", type = "string", value = jsonencode("cat")`), `Attribute filters\.items\[0\]\.type value must be one of: \["String"`)
	viewNestedCase("value not JSON", viewFilter(`filter = "filter:tasks:data.text", operator = "contains", type = "String", value = "cat"`), `filters\.items\[0\]\.value must be JSON text`)
	viewNestedCase("in_list with a single value", viewFilter(`filter = "filter:tasks:id", operator = "in_list", type = "Number", value = jsonencode(3)`),
		`filters\.items\[0\]\.value.*require a JSON array.*jsonencode\(\[1, 2, 3\]\)`)
	viewNestedCase("in_list on a column without lists", viewFilter(`filter = "filter:tasks:created_at", operator = "in_list", type = "Datetime", value = jsonencode(["2026-01-01"])`),
		`filters\.items\[0\]\.filter.*only task data fields`)
	viewNestedCase("in without a range", viewFilter(`filter = "filter:tasks:id", operator = "in", type = "Number", value = jsonencode(3)`),
		`filters\.items\[0\]\.value.*jsonencode\(\{ min = 1, max = 7 \}\)`)
	viewCase("ordering without the tasks: prefix", `ordering = ["created_at"]`, `ordering.*tasks:<column>`)
	viewCase("empty ordering", `ordering = []`, `ordering.*at least 1`)
	viewNestedCase("hidden column without a prefix", `hidden_columns = { explore = ["inner_id"], labeling = [] }`, `hidden_columns\.explore\[0\].*tasks:inner_id`)
	viewCase("timeouts.update not a duration", `timeouts = { update = "later" }`, `timeouts\.update = "later"`)
	// ML backends: what MLBackendSerializer refuses before calling the
	// model (label_studio/ml/serializers.py validate, validate_url;
	// core/utils/io.py validate_upload_url).
	mlCase := func(name, lines, want string) {
		resources = append(resources, badConfig{
			name: "labelstudio_ml_backend " + name,
			hcl: fmt.Sprintf("resource \"labelstudio_ml_backend\" \"t\" {\n  project = %d\n  url     = \"http://ml-backend:9090\"\n  %s %s\n}\n",
				project, lines, badConfigMarker),
			want: want,
		})
	}
	mlCase("basic auth without a password", "auth_method = \"BASIC_AUTH\"\n  basic_auth_user = \"ls\"", `basic_auth_user is set without basic_auth_pass \(or basic_auth_pass_wo`)
	mlCase("basic auth with a write-only password but no user", "auth_method = \"BASIC_AUTH\"\n  basic_auth_pass_wo_version = 1\n  basic_auth_pass_wo = \"p\"", `basic_auth_pass_wo is set without basic_auth_user`)
	mlCase("password without a user", `basic_auth_pass = "p"`, `basic_auth_pass is set without basic_auth_user`)
	mlCase("basic auth without either half", `auth_method = "BASIC_AUTH"`, `needs basic_auth_user and basic_auth_pass`)
	mlCase("unknown auth_method", `auth_method = "TOKEN"`, `auth_method`)
	mlCase("extra_params not JSON", `extra_params = "{threshold: 0.5}"`, `extra_params`)
	mlCase("timeouts.create not a duration", `timeouts = { create = "soon" }`, `timeouts\.create = "soon"`)
	resources = append(resources, badConfig{
		name: "labelstudio_ml_backend url without http",
		hcl:  fmt.Sprintf("resource \"labelstudio_ml_backend\" \"t\" {\n  project = %d\n  url     = \"grpc://ml-backend:9090\" %s\n}\n", project, badConfigMarker),
		want: `not an http:// or https:// URL.*Label Studio server reaches the model`,
	})

	syncCase := func(name, line, want string) {
		resources = append(resources, badConfig{
			name: "labelstudio_storage_sync " + name,
			hcl:  fmt.Sprintf("resource \"labelstudio_storage_sync\" \"t\" {\n  %s %s\n}\n", line, badConfigMarker),
			want: want,
		})
	}
	syncWith := func(name, extra, want string) {
		resources = append(resources, badConfig{
			name: "labelstudio_storage_sync " + name,
			hcl: fmt.Sprintf("resource \"labelstudio_storage_sync\" \"t\" {\n  storages = [{ kind = \"local\", direction = \"import\", id = 1 }]\n  %s %s\n}\n",
				extra, badConfigMarker),
			want: want,
		})
	}
	syncCase("id too large", `storages = [{ kind = "local", direction = "import", id = 1e30 }]`, `storages\[0\]\.id: 1\d+ does not fit`)
	syncCase("id not whole", `storages = [{ kind = "local", direction = "import", id = 1.25 }]`, `storages\[0\]\.id: 1\.25 is not a whole number`)
	syncCase("id zero", `storages = [{ kind = "local", direction = "import", id = 0 }]`, `at least 1`)
	syncCase("unknown kind", `storages = [{ kind = "ftp", direction = "import", id = 1 }]`, `ftp`)
	syncCase("unknown direction", `storages = [{ kind = "s3", direction = "sideways", id = 1 }]`, `sideways`)
	syncCase("no storages", `storages = []`, `at least 1`)
	syncCase("storage twice", `storages = [{ kind = "s3", direction = "import", id = 1 }, { kind = "s3", direction = "import", id = 1 }]`, `listed twice`)
	syncWith("timeouts.create not a duration", `timeouts = { create = "soon" }`, `timeouts\.create = "soon"`)
	syncWith("timeouts.update zero", `timeouts = { update = "0" }`, `timeouts\.update = "0"`)
	syncWith("max_attempts zero", `max_attempts = 0`, `max_attempts`)
	syncWith("max_attempts above 10", `max_attempts = 11`, `max_attempts`)
	syncWith("max_attempts not whole", `max_attempts = 2.5`, `max_attempts: 2\.5 is not a whole number`)
	syncWith("concurrency zero", `concurrency = 0`, `concurrency`)
	syncWith("concurrency too large", `concurrency = 1e19`, `concurrency: 10000000000000000000 does not fit`)
	syncWith("unknown policy", `on_completed_with_errors = "ignore"`, `on_completed_with_errors`)

	// Terraform validates a provider configuration that a resource uses.
	providerCase := func(name, line, want string) {
		alias := fmt.Sprintf("p%d", len(providers))
		providers = append(providers, badConfig{
			name: "provider " + name,
			hcl: fmt.Sprintf("provider \"labelstudio\" {\n  alias = %q\n  %s %s\n}\n\nresource \"labelstudio_project\" \"t\" {\n  provider = labelstudio.%s\n  title    = \"uses %s\"\n}\n",
				alias, line, badConfigMarker, alias, alias),
			want: want,
		})
	}
	providerCase("ca_cert_pem not a certificate", `ca_cert_pem = "not a certificate"`, `Invalid ca_cert_pem`)
	providerCase("request_timeout not a duration", `request_timeout = "soon"`, `Invalid request_timeout`)
	providerCase("request_timeout negative", `request_timeout = "-1s"`, `Invalid request_timeout`)
	providerCase("max_retries negative", `max_retries = -1`, `max_retries must be 0 or more`)
	providerCase("max_retries not whole", `max_retries = 1.5`, `max_retries: 1\.5 is not a whole number`)
	providerCase("max_retries too large", `max_retries = 1e300`, `max_retries: 1\d+ does not fit`)
	return resources, providers
}

// TestBadConfigurations runs terraform validate on every bad configuration
// of the table and checks that each fails with an error on its attribute
// (the marked line); then an apply of them all creates nothing.
func TestBadConfigurations(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	project := testProject(t, c)
	resources, providers := badConfigs(project)
	t.Logf("%d bad configurations", len(resources)+len(providers))
	if n := len(resources) + len(providers); n < 100 {
		t.Fatalf("the table has %d bad configurations, want at least 100", n)
	}

	// Provider errors stop validation before resources are looked at, so
	// the provider's cases get a working directory of their own.
	for _, set := range []struct {
		name  string
		cases []badConfig
	}{{"resources", resources}, {"providers", providers}} {
		t.Run(set.name, func(t *testing.T) {
			w := newCLIWorkdir(t, terraformPath, cliConfig, env)
			w.writeFile("main.tf", cliTerraformBlock)
			for i, tc := range set.cases {
				// Resource names must be unique in the directory.
				w.writeFile(badConfigFile(i), strings.Replace(tc.hcl, `"t" {`, fmt.Sprintf(`"c%03d" {`, i), 1))
			}
			diags := validateJSON(t, w)
			for i, tc := range set.cases {
				checkBadConfig(t, tc, badConfigFile(i), diags)
			}

			// Nothing reaches Label Studio.
			out := w.run(1, "apply", "-auto-approve")
			if !strings.Contains(out, "Error: ") {
				t.Errorf("apply of the bad configurations did not fail:\n%s", out)
			}
			checkNothingCreated(t, c, project)
		})
	}
}

// elevenHeaders is one header more than Label Studio accepts.
func elevenHeaders() string {
	var pairs []string
	for i := range 11 {
		pairs = append(pairs, fmt.Sprintf("H%d = \"v\"", i))
	}
	return strings.Join(pairs, ", ")
}

func badConfigFile(i int) string { return fmt.Sprintf("case_%03d.tf", i) }

// validateDiagnostic is one diagnostic of `terraform validate -json`.
type validateDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
}

func validateJSON(t *testing.T, w *cliWorkdir) []validateDiagnostic {
	t.Helper()
	cmd := exec.Command(w.terraform, "validate", "-json", "-no-color")
	cmd.Dir = w.dir
	cmd.Env = w.env
	out, _ := cmd.Output() // exits 1 on errors; the JSON says what they are
	var result struct {
		Diagnostics []validateDiagnostic `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &result); err != nil {
		t.Fatalf("terraform validate -json: %v\n%s", err, out)
	}
	for _, d := range result.Diagnostics {
		if d.Range == nil && d.Severity == "error" {
			t.Errorf("terraform validate: %s: %s", d.Summary, d.Detail)
		}
	}
	return result.Diagnostics
}

// checkBadConfig asserts that the case's file has an error on the marked
// line matching want, and no error anywhere else.
func checkBadConfig(t *testing.T, tc badConfig, file string, diags []validateDiagnostic) {
	t.Helper()
	markedLine := 0
	for i, line := range strings.Split(tc.hcl, "\n") {
		if strings.HasSuffix(line, badConfigMarker) {
			markedLine = i + 1
		}
	}
	// onWantedLine: on the marked line, or for a nested attribute on the
	// resource block's first line (see badConfig.inNested).
	onWantedLine := func(line int) bool { return line == markedLine || tc.inNested && line == 1 }
	want := regexp.MustCompile(tc.want)
	found := false
	for _, d := range diags {
		if d.Severity != "error" || d.Range == nil || filepath.Base(d.Range.Filename) != file {
			continue
		}
		text := d.Summary + ": " + d.Detail
		if !onWantedLine(d.Range.Start.Line) {
			t.Errorf("%s: error on line %d, want line %d (the attribute): %s", tc.name, d.Range.Start.Line, markedLine, text)
			continue
		}
		if !want.MatchString(text) {
			t.Errorf("%s: error %q does not match %q", tc.name, text, tc.want)
			continue
		}
		found = true
	}
	if !found {
		t.Errorf("%s: no error on line %d; Terraform would accept\n%s", tc.name, markedLine, tc.hcl)
	}
}

func checkNothingCreated(t *testing.T, c *client.Client, project int64) {
	t.Helper()
	projects, err := c.ListProjects(t.Context(), client.ProjectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != 1 || projects[0].ID != project {
		t.Errorf("Label Studio holds %d projects, want only the test's own", len(projects))
	}
	views, err := c.ListViews(t.Context(), project)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 0 {
		t.Errorf("Label Studio holds %d views after a failed plan", len(views))
	}
	for _, dir := range []client.Direction{client.Import, client.Export} {
		list, err := c.ListAllStorages(t.Context(), dir, project)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("Label Studio holds %d %s storages after a failed plan", len(list), dir)
		}
	}
}
