package devserver

import (
	"encoding/json"
	"net/http"
	"regexp"
	"time"
)

// Annotations of a task (API.md 18.5), after label_studio/tasks/api.py
// AnnotationsListAPI: GET lists the task's annotations, POST creates one
// and, through @api_webhook(ANNOTATION_CREATED), delivers the event before
// answering.

func (s *Server) annotationRoutes() []route {
	return []route{
		{pattern: regexp.MustCompile(`^/api/tasks/([0-9]+)/annotations/$`), name: "/api/tasks/{id}/annotations/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleAnnotationList, http.MethodPost: s.handleAnnotationCreate}},
	}
}

// msgAnnotationResultNotList is AnnotationSerializer.validate_result's
// message (tasks/serializers.py).
const msgAnnotationResultNotList = `annotation "result" field in annotation must be list`

func (s *Server) handleAnnotationList(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Tasks[p.id]; !ok {
		return notFound("Task")
	}
	list := []map[string]any{}
	for _, a := range s.st.annotationsOf(p.id) {
		list = append(list, annotationJSON(a))
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// handleAnnotationCreate: the parent task first (404), then the body.
// result is optional; a string is parsed as JSON (a parse failure is
// validate_result's uncaught ValueError, a 500), and anything but a list is
// a 400. completed_by is the caller.
func (s *Server) handleAnnotationCreate(w http.ResponseWriter, r *http.Request, p routeParams) error {
	s.mu.Lock()
	_, ok := s.st.Tasks[p.id]
	s.mu.Unlock()
	if !ok {
		return notFound("Task")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var result []any
	if raw, present := body["result"]; present && raw != nil {
		value := plainValue(raw)
		if text, isText := value.(string); isText {
			if json.Unmarshal([]byte(text), &value) != nil {
				return uncaught("ValueError", `annotation "result" can't be parse from str to JSON`)
			}
		}
		list, isList := value.([]any)
		if !isList {
			return fieldError("result", msgAnnotationResultNotList)
		}
		result = list
	}
	s.mu.Lock()
	t, ok := s.st.Tasks[p.id]
	if !ok {
		s.mu.Unlock()
		return notFound("Task")
	}
	a := s.st.addAnnotation(t.ID, t.Project, result, nil, time.Now())
	response := annotationJSON(a)
	err = s.persistLocked()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.emitAnnotationCreated(a.ID)
	writeJSON(w, http.StatusCreated, response)
	return nil
}
