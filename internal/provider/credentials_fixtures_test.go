package provider

import "encoding/json"

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
