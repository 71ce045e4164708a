package client

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// decodeStorage fills the bookkeeping fields of a storage response and
// Fields with every key.
func decodeStorage(raw map[string]json.RawMessage) (*Storage, error) {
	fields, err := decodeFields(raw)
	if err != nil {
		return nil, err
	}
	s := &Storage{Fields: fields}
	if s.ID, err = rawInt(raw, "id"); err != nil {
		return nil, err
	}
	if _, present := raw["project"]; present {
		if s.Project, err = rawInt(raw, "project"); err != nil {
			return nil, err
		}
	}
	s.Type = rawString(raw["type"])
	s.Title = rawOptionalString(raw["title"])
	s.Status = rawString(raw["status"])
	s.CreatedAt = rawString(raw["created_at"])
	s.LastSync = rawOptionalString(raw["last_sync"])
	s.LastSyncJob = rawOptionalString(raw["last_sync_job"])
	s.Traceback = rawOptionalString(raw["traceback"])
	if s.LastSyncCount, err = rawOptionalInt(raw, "last_sync_count"); err != nil {
		return nil, err
	}
	s.Meta = json.RawMessage("{}")
	if meta, ok := raw["meta"]; ok && !isNull(meta) {
		s.Meta = meta
	}
	return s, nil
}

func decodeProject(raw map[string]json.RawMessage) (*Project, error) {
	id, fields, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	return &Project{ID: id, Title: rawString(raw["title"]), Fields: fields}, nil
}

// decodeObject is the id and every decoded field of an object with an id
// of its own (a project, a webhook).
func decodeObject(raw map[string]json.RawMessage) (int64, map[string]any, error) {
	id, err := rawInt(raw, "id")
	if err != nil {
		return 0, nil, err
	}
	fields, err := decodeFields(raw)
	return id, fields, err
}

// decodeFields decodes every key of a response: a string, a bool, nil for
// null, a json.Number for a number (exact, as sent), a map[string]any or a
// []any.
func decodeFields(raw map[string]json.RawMessage) (map[string]any, error) {
	fields := make(map[string]any, len(raw))
	for key, value := range raw {
		v, err := decodeValue(value)
		if err != nil {
			return nil, fmt.Errorf("the response's %q is not valid JSON", key)
		}
		fields[key] = v
	}
	return fields, nil
}

// decodeValue decodes one value of a parsed response. Scalars, which are
// nearly all of a storage's fields, take no decoder.
func decodeValue(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return nil, fmt.Errorf("empty value")
	case string(raw) == "null":
		return nil, nil
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	case raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0:
		// A string without escapes is its text between the quotes.
		return string(raw[1 : len(raw)-1]), nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return json.Number(raw), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// rawInt reads a required integer field.
func rawInt(raw map[string]json.RawMessage, key string) (int64, error) {
	value, err := rawOptionalInt(raw, key)
	if err != nil {
		return 0, err
	}
	if value == nil {
		return 0, fmt.Errorf("the response has no %q", key)
	}
	return *value, nil
}

// rawOptionalInt reads an integer field that may be absent or null.
func rawOptionalInt(raw map[string]json.RawMessage, key string) (*int64, error) {
	value, ok := raw[key]
	if !ok || isNull(value) {
		return nil, nil
	}
	var number json.Number
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	if err := dec.Decode(&number); err != nil {
		return nil, fmt.Errorf("the response's %q is not a number", key)
	}
	n, err := number.Int64()
	if err != nil {
		return nil, fmt.Errorf("the response's %q is not an integer", key)
	}
	return &n, nil
}

// rawString reads a string field; absent, null or non-string is "".
func rawString(value json.RawMessage) string {
	if s := rawOptionalString(value); s != nil {
		return *s
	}
	return ""
}

func rawOptionalString(value json.RawMessage) *string {
	if isNull(value) {
		return nil
	}
	var s string
	if err := json.Unmarshal(value, &s); err != nil {
		return nil
	}
	return &s
}
