package redact

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// testPrivateKey is a PEM-shaped key made of letters only, so that each of
// its lines survives any escaping unchanged and can be searched for.
const testPrivateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiGwKeyLineOneXyzAbcDefGhiJklMnoPqr\nKeyLineTwoQwertyUiopAsdfGhjklZxcvbnmQwertyUiopAsdf\n-----END PRIVATE KEY-----\n"

// testCredentials is a service-account document holding that key.
var testCredentials = mustJSON(map[string]string{
	"type":           "service_account",
	"project_id":     "redact-test",
	"private_key_id": "keyidZyxwvutsrqponmlk",
	"private_key":    testPrivateKey,
	"client_email":   "robot@redact-test.iam.gserviceaccount.com",
	"client_secret":  "clientSecretPoiuytrewq",
})

func mustJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

// testSecretNeedles are substrings of the test secrets that no message may
// still contain, in whatever encoding the secret reached it.
var testSecretNeedles = []string{
	"KeyLineOneXyzAbcDefGhiJklMnoPqr", "KeyLineTwoQwertyUiopAsdfGhjklZxcvbnm",
	"keyidZyxwvutsrqponmlk", "clientSecretPoiuytrewq",
	"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY", "AKIAREDACTTEST",
	"ssw\\u00f6rd-Only", "sswörd-Only",
}

func TestRedactionFindsEveryFormOfASecret(t *testing.T) {
	secrets := []string{testCredentials, "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY/+=", "AKIAREDACTTEST", "pässwörd-Only"}
	body := mustJSON(map[string]any{
		"bucket":                         "my-bucket",
		"google_application_credentials": testCredentials,
		"aws_secret_access_key":          secrets[1],
		"aws_access_key_id":              secrets[2],
		"password":                       secrets[3],
	})
	var asciiBody strings.Builder // Python's json.dumps: non-ASCII as \uXXXX
	for _, r := range body {
		if r > 127 {
			fmt.Fprintf(&asciiBody, `\u%04x`, r)
			continue
		}
		asciiBody.WriteRune(r)
	}
	quotedTwice := mustJSON(map[string]string{"request": body})
	for name, msg := range map[string]string{
		"as sent":              "Invalid value '" + testCredentials + "' and " + secrets[1] + " " + secrets[2] + " " + secrets[3],
		"body quoted":          "Cannot process the request body " + body,
		"body quoted twice":    "upstream said " + quotedTwice,
		"URL-encoded query":    "Rejected POST /api/storages/gcs/validate?body=" + url.QueryEscape(body),
		"URL-encoded path":     "GET /" + url.PathEscape(body),
		"JSON then URL":        "next=" + url.QueryEscape(quotedTwice),
		"ensure_ascii":         "body " + asciiBody.String(),
		"one field quoted":     "private_key: " + mustJSON(testPrivateKey) + " private_key_id=keyidZyxwvutsrqponmlk client_secret " + mustJSON("clientSecretPoiuytrewq"),
		"key re-wrapped":       "key " + strings.ReplaceAll(testPrivateKey, "\n", " "),
		"key with CRLF breaks": "key " + strings.ReplaceAll(testPrivateKey, "\n", "\r\n"),
		"escaped HTML":         mustJSON(map[string]string{"k": "<" + secrets[1] + "&>"}),
	} {
		t.Run(name, func(t *testing.T) {
			got := Secrets(msg, secrets)
			for _, needle := range testSecretNeedles {
				if strings.Contains(got, needle) {
					t.Errorf("%q survived redaction:\n%s", needle, got)
				}
			}
			if !strings.Contains(got, Placeholder) {
				t.Errorf("nothing was redacted:\n%s", got)
			}
		})
	}
}

func TestRedactionKeepsTheRestOfTheMessage(t *testing.T) {
	msg := "Cannot process the request body " + mustJSON(map[string]any{"bucket": "my-bucket", "google_application_credentials": testCredentials})
	got := Secrets(msg, []string{testCredentials, "ab", ""})
	for _, kept := range []string{"Cannot process the request body", `"bucket":"my-bucket"`} {
		if !strings.Contains(got, kept) {
			t.Errorf("redaction removed %q:\n%s", kept, got)
		}
	}
	// A short value ("ab") is not redacted: it would blank unrelated words.
	if strings.Count(got, Placeholder) != 1 {
		t.Errorf("want the document redacted as one piece:\n%s", got)
	}
}

// A pretty-printed credentials document: its secret fields are redacted
// wherever they appear, its other fields are not.
func TestRedactionOfAPrettyPrintedDocument(t *testing.T) {
	var fields map[string]string
	if err := json.Unmarshal([]byte(testCredentials), &fields); err != nil {
		t.Fatal(err)
	}
	pretty, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	msg := `"client_email": "robot@redact-test.iam.gserviceaccount.com", key ` + mustJSON(testPrivateKey)
	got := Secrets(msg, []string{string(pretty)})
	if !strings.Contains(got, `"client_email": "robot@redact-test.iam.gserviceaccount.com"`) {
		t.Errorf("a field that is no secret was redacted:\n%s", got)
	}
	for _, needle := range testSecretNeedles[:2] {
		if strings.Contains(got, needle) {
			t.Errorf("%q survived redaction:\n%s", needle, got)
		}
	}
}
