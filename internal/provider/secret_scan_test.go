package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// alphanumericRun is a stretch of a secret that JSON escaping, URL encoding
// and re-wrapping all leave unchanged.
var alphanumericRun = regexp.MustCompile(`[A-Za-z0-9]{8,}`)

// secretNeedles are the runs of letters and digits in a secret (at least 8
// long, or the whole value when it has none): finding none of them in a
// text proves that no form of the secret got into it, whole or in part,
// raw, JSON-escaped (inside meta, say) or URL-encoded.
func secretNeedles(secrets ...string) []string {
	var needles []string
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		runs := alphanumericRun.FindAllString(secret, -1)
		if len(runs) == 0 {
			runs = []string{secret}
		}
		needles = append(needles, runs...)
	}
	return needles
}

// findSecret names the first needle found in text, by its position only.
func findSecret(text string, needles []string) (int, bool) {
	for i, needle := range needles {
		if strings.Contains(text, needle) {
			return i + 1, true
		}
	}
	return 0, false
}

// checkNoSecretInState fails when any string of any resource in state holds
// a part of a secret in any form. statefulSecrets names the attributes that
// may hold a configured secret as their whole value (a stateful secret
// attribute, on a step that configures it); they are checked against
// everything else all the same.
func checkNoSecretInState(secrets []string, statefulSecrets ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		states := map[string]*terraform.InstanceState{}
		for name, rs := range s.RootModule().Resources {
			states[name] = rs.Primary
		}
		return scanStatesForSecrets(states, secrets, statefulSecrets)
	}
}

// checkNoSecretInImportedState is checkNoSecretInState for an import step.
func checkNoSecretInImportedState(secrets []string) resource.ImportStateCheckFunc {
	return func(imported []*terraform.InstanceState) error {
		states := map[string]*terraform.InstanceState{}
		for i, st := range imported {
			states[fmt.Sprintf("imported[%d]", i)] = st
		}
		return scanStatesForSecrets(states, secrets, nil)
	}
}

func scanStatesForSecrets(states map[string]*terraform.InstanceState, secrets, statefulSecrets []string) error {
	needles := secretNeedles(secrets...)
	if len(needles) == 0 {
		return nil
	}
	allowed := map[string]bool{}
	for _, name := range statefulSecrets {
		allowed[name] = true
	}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		st := states[name]
		if st == nil {
			continue
		}
		texts := map[string]string{"id": st.ID}
		for attr, value := range st.Attributes {
			texts[attr] = value
		}
		for key, value := range st.Meta {
			texts["(meta) "+key] = fmt.Sprint(value)
		}
		for attr, value := range texts {
			if allowed[attr] && isOneOf(value, secrets) {
				continue
			}
			if i, found := findSecret(value, needles); found {
				return fmt.Errorf("%s.%s holds part #%d of a secret", name, attr, i)
			}
		}
	}
	return nil
}

func isOneOf(value string, list []string) bool {
	for _, v := range list {
		if value == v {
			return true
		}
	}
	return false
}

// TestSecretScanFindsEmbeddedSecrets checks the scanner itself: a secret
// inside a longer string, JSON-escaped inside meta, URL-encoded in a
// traceback, in a nested attribute or in the wrong attribute is found.
func TestSecretScanFindsEmbeddedSecrets(t *testing.T) {
	secrets := []string{"AKIAREDACTTEST", testCredentials}
	for name, attrs := range map[string]map[string]string{
		"substring":         {"traceback": "auth failed for AKIAREDACTTEST at line 3"},
		"JSON inside meta":  {"meta": mustJSON(map[string]string{"request": testCredentials})},
		"URL-encoded":       {"traceback": "GET /x?c=" + url.QueryEscape(testCredentials)},
		"nested":            {"timeouts.create": "AKIAREDACTTEST"},
		"another attribute": {"title": "AKIAREDACTTEST"},
	} {
		t.Run(name, func(t *testing.T) {
			state := map[string]*terraform.InstanceState{"labelstudio_s3_import_storage.test": {ID: "1", Attributes: attrs}}
			if err := scanStatesForSecrets(state, secrets, []string{"aws_access_key_id"}); err == nil {
				t.Errorf("the scan missed the secret in %v", attrs)
			}
		})
	}
	clean := map[string]*terraform.InstanceState{"x": {ID: "1", Attributes: map[string]string{
		"aws_access_key_id": "AKIAREDACTTEST", // the stateful attribute itself may hold it
		"meta":              `{"attempts":1}`,
	}}}
	if err := scanStatesForSecrets(clean, secrets, []string{"aws_access_key_id"}); err != nil {
		t.Errorf("clean state rejected: %v", err)
	}
}
