package devserver

import (
	"net/http"
	"time"
)

// Creating, reading, changing and deleting one project: /api/projects/ and
// /api/projects/{id}/.

func (s *Server) handleProjectCreate(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cleaned, err := cleanProjectBody(body, true)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &project{ID: s.st.nextID("project"), CreatedAt: isoTime(time.Now()), Settings: map[string]any{}}
	applyProjectBody(p, cleaned)
	if err := createProjectSettings(p); err != nil {
		return err
	}
	s.st.Projects[p.ID] = p
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.st.projectJSON(p, viewCreate))
	return nil
}

func (s *Server) handleProjectGet(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return writeFound(w, s.st.Projects, p.id, "Project", func(proj *project) map[string]any { return s.st.projectJSON(proj, viewDetail) })
}

// handleProjectPatch: @api_webhook(PROJECT_UPDATED) delivers before the
// answer leaves (deliveries.go).
func (s *Server) handleProjectPatch(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return answerAfterEmit(w, func(w http.ResponseWriter) error { return s.updateProject(w, r, p) },
		func() { s.emitProjectUpdated(p.id) })
}

// handleProjectPut: Label Studio's project PUT behaves as a partial update.
func (s *Server) handleProjectPut(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateProject(w, r, p)
}

func (s *Server) updateProject(w http.ResponseWriter, r *http.Request, p routeParams) error {
	s.mu.Lock()
	_, ok := s.st.Projects[p.id]
	s.mu.Unlock()
	if !ok {
		return notFound("Project")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cleaned, err := cleanProjectBody(body, false)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	proj, ok := s.st.Projects[p.id]
	if !ok {
		return notFound("Project")
	}
	if err := s.st.validateProjectUpdate(proj, cleaned); err != nil {
		return err
	}
	if err := updateProjectSettings(proj, cleaned); err != nil {
		return err
	}
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.st.projectJSON(proj, viewUpdate))
	return nil
}

// handleProjectDelete deletes a project with its storages, tasks and
// annotations.
func (s *Server) handleProjectDelete(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Projects[p.id]; !ok {
		return notFound("Project")
	}
	delete(s.st.Projects, p.id)
	for key, sg := range s.st.Storages {
		if sg.project() == p.id {
			delete(s.st.Storages, key)
			delete(s.jobs, key)
		}
	}
	for id, t := range s.st.Tasks {
		if t.Project == p.id {
			delete(s.st.Tasks, id)
		}
	}
	for id, a := range s.st.Annotations {
		if a.Project == p.id {
			delete(s.st.Annotations, id)
		}
	}
	s.st.deleteProjectObjects(p.id)
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
