package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

const maxBodyBytes = 32 << 20

// readBody decodes a request body the way DRF's parsers do: JSON by default,
// form-encoded and multipart by content type. Form values arrive as strings,
// which the field validation converts like DRF does. An empty body is an
// empty object; a body that is JSON but not an object is a validation error.
func readBody(r *http.Request) (map[string]any, error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		var err error
		if mediaType == "multipart/form-data" {
			err = r.ParseMultipartForm(maxBodyBytes)
		} else {
			r.Body = http.MaxBytesReader(nil, r.Body, maxBodyBytes)
			err = r.ParseForm()
		}
		if err != nil {
			return nil, &apiError{status: http.StatusBadRequest, detail: "Multipart form parse error - " + err.Error()}
		}
		body := map[string]any{}
		values := r.PostForm
		if r.MultipartForm != nil {
			values = r.MultipartForm.Value
		}
		for k, v := range values {
			if len(v) > 0 {
				body[k] = v[len(v)-1]
			}
		}
		return body, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, detail: "JSON parse error - " + err.Error()}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	var decoded any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&decoded); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, detail: "JSON parse error - " + err.Error()}
	}
	if dec.More() {
		return nil, &apiError{status: http.StatusBadRequest, detail: "JSON parse error - Extra data"}
	}
	obj, ok := decoded.(map[string]any)
	if !ok {
		return nil, fieldError("", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pythonTypeName(decoded)))
	}
	return obj, nil
}

// pythonTypeName names a decoded JSON value's Python type, for DRF messages.
func pythonTypeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return "float"
		}
		return "int"
	case float64:
		if x == float64(int64(x)) {
			return "int"
		}
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	default:
		return "dict"
	}
}
