package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"
)

// Webhook delivery (API.md 18.4), after label_studio/webhooks/utils.py:
// get_active_webhooks selects, _process_webhook_batch builds one payload
// for all, run_webhook_sync posts it and _record_webhook_delivery_result
// keeps the failure count. Without Redis, start_job_async_or_sync runs the
// job in the request, so a delivery happens before the API answers, each
// bounded by WEBHOOK_TIMEOUT.

// webhookDelivery is one POST to send.
type webhookDelivery struct {
	webhookID int64
	url       string
	headers   map[string]string
	body      []byte
}

// webhookDeliveriesLocked selects the active webhooks of the project (and
// the organisation's) for action and renders each one's body. payload
// builds the serialized objects; it runs once, and only when a selected
// webhook sends payloads. The caller holds s.mu.
func (s *Server) webhookDeliveriesLocked(project int64, action string, payload func() map[string]any) []webhookDelivery {
	var selected []*webhook
	for _, wh := range s.sortedWebhooksLocked() {
		if wh.IsActive && (wh.Project == project || wh.Project == 0) &&
			(wh.SendForAllActions || slices.Contains(wh.Actions, action)) {
			selected = append(selected, wh)
		}
	}
	var shared map[string]any
	for _, wh := range selected {
		if wh.SendPayload {
			shared = payload()
			break
		}
	}
	out := make([]webhookDelivery, 0, len(selected))
	for _, wh := range selected {
		data := map[string]any{"action": action}
		if wh.SendPayload && len(shared) > 0 {
			maps.Copy(data, shared)
		}
		body, err := json.Marshal(data)
		if err != nil {
			log.Printf("devserver: webhook %d: encode payload: %v", wh.ID, err)
			continue
		}
		out = append(out, webhookDelivery{webhookID: wh.ID, url: wh.URL, headers: maps.Clone(wh.Headers), body: body})
	}
	return out
}

// emitWebhooks delivers action to the project's webhooks; the caller must
// not hold s.mu.
func (s *Server) emitWebhooks(project int64, action string, payload func() map[string]any) {
	s.mu.Lock()
	deliveries := s.webhookDeliveriesLocked(project, action, payload)
	s.mu.Unlock()
	for _, d := range deliveries {
		s.recordWebhookDelivery(d.webhookID, s.sendWebhook(d))
	}
}

// webhookUserAgent is what requests sends by default; Label Studio adds no
// header of its own.
const webhookUserAgent = "python-requests/2.32.3"

// sendWebhook posts one delivery and reports whether it succeeded: a 2xx
// answer within the timeout. requests applies WEBHOOK_TIMEOUT to the
// connection and to each read; here it bounds the connection, the wait for
// the answer's headers and the reading of its body.
func (s *Server) sendWebhook(d webhookDelivery) bool {
	timeout := s.cfg.WebhookTimeout
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: timeout}).DialContext,
		ResponseHeaderTimeout: timeout,
		TLSHandshakeTimeout:   timeout,
		DisableKeepAlives:     true, // requests.post opens a session per call
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return false
	}
	req.Header.Set("User-Agent", webhookUserAgent)
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Content-Type", "application/json")
	for k, v := range d.headers {
		req.Header.Set(k, v) // the webhook's headers win, Content-Type included
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer func() { _ = resp.Body.Close() }()
	// requests reads the whole answer (stream=False).
	readDone := time.AfterFunc(timeout, cancel)
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	readDone.Stop()
	return err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300
}

// recordWebhookDelivery is _record_webhook_delivery_result: a success resets
// the count, a failure adds one and switches the webhook off at
// WEBHOOK_MAX_CONSECUTIVE_FAILURES. The queryset updates it uses leave
// updated_at alone.
func (s *Server) recordWebhookDelivery(id int64, succeeded bool) {
	threshold := s.cfg.WebhookMaxConsecutiveFailures
	if threshold <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, ok := s.st.Webhooks[id]
	if !ok {
		return
	}
	if succeeded {
		wh.ConsecutiveFailures = 0
	} else {
		wh.ConsecutiveFailures++
		if wh.ConsecutiveFailures >= threshold && wh.IsActive {
			wh.IsActive = false
			log.Printf("devserver: webhook %d auto-disabled after %d consecutive failures", id, wh.ConsecutiveFailures)
		}
	}
	s.persistOrLog()
}

// Payload serializers (webhooks/serializers_for_hooks.py): ModelSerializers
// with fields '__all__', so foreign keys are ids.

// projectWebhookJSON is ProjectWebhookSerializer: the project's model
// fields and its counts.
func (st *state) projectWebhookJSON(p *project) map[string]any {
	detail := st.projectJSON(p, viewDetail)
	out := maps.Clone(p.Settings)
	for _, name := range append([]string{"id", "title", "label_config", "created_at", "organization",
		"parsed_label_config", "config_has_control_tags", "start_training_on_annotation_update"}, projectCountFields...) {
		out[name] = detail[name]
	}
	out["created_by"] = bootstrapUserID
	return out
}

// taskWebhookJSON is TaskWebhookSerializer: the task's model fields, its
// $undefined$ key resolved.
func (st *state) taskWebhookJSON(t *task) map[string]any {
	full := st.taskJSON(t)
	out := map[string]any{}
	for _, name := range []string{"id", "data", "meta", "created_at", "updated_at", "is_labeled", "overlap", "inner_id",
		"total_annotations", "cancelled_annotations", "total_predictions", "project"} {
		out[name] = full[name]
	}
	out["file_upload"] = nil
	out["updated_by"] = nil
	out["comment_count"] = 0
	out["unresolved_comment_count"] = 0
	out["last_comment_updated_at"] = nil
	out["comment_authors"] = []any{}
	return out
}

// annotationWebhookJSON is AnnotationWebhookSerializer: the annotation's
// model fields.
func annotationWebhookJSON(a *annotation) map[string]any {
	out := annotationJSON(a)
	out["updated_by"] = bootstrapUserID
	out["parent_prediction"] = nil
	out["parent_annotation"] = nil
	out["last_created_by"] = nil
	out["bulk_created"] = false
	out["draft_created_at"] = nil
	return out
}

// emitTasksCreated is the TASKS_CREATED emit of an import sync
// (io_storages/base_models.py _scan_and_create_links): one call with every
// task the run created, in batches of WEBHOOK_BATCH_SIZE (5000).
func (s *Server) emitTasksCreated(project int64, taskIDs []int64) {
	const batchSize = 5000
	for start := 0; start < len(taskIDs); start += batchSize {
		batch := taskIDs[start:min(start+batchSize, len(taskIDs))]
		s.emitWebhooks(project, actionTasksCreated, func() map[string]any {
			tasks := []any{}
			for _, id := range batch {
				if t, ok := s.st.Tasks[id]; ok {
					tasks = append(tasks, s.st.taskWebhookJSON(t))
				}
			}
			return s.st.payloadWithProject(project, map[string]any{"tasks": tasks})
		})
	}
}

// payloadWithProject adds the project, as _process_webhook_batch does to a
// non-empty payload.
func (st *state) payloadWithProject(project int64, payload map[string]any) map[string]any {
	if p, ok := st.Projects[project]; ok {
		payload["project"] = st.projectWebhookJSON(p)
	}
	return payload
}

// emitProjectUpdated is PROJECT_UPDATED, sent by @api_webhook on the
// project PATCH (projects/api.py ProjectAPI.patch; PUT sends nothing).
func (s *Server) emitProjectUpdated(project int64) {
	s.emitWebhooks(project, actionProjectUpdated, func() map[string]any {
		return s.st.payloadWithProject(project, map[string]any{})
	})
}

// emitAnnotationCreated is ANNOTATION_CREATED, sent by @api_webhook on
// AnnotationsListAPI.post: the annotation, its project and its task.
func (s *Server) emitAnnotationCreated(annotationID int64) {
	s.mu.Lock()
	a, ok := s.st.Annotations[annotationID]
	s.mu.Unlock()
	if !ok {
		return
	}
	s.emitWebhooks(a.Project, actionAnnotationCreated, func() map[string]any {
		payload := s.st.payloadWithProject(a.Project, map[string]any{"annotation": annotationWebhookJSON(a)})
		if t, ok := s.st.Tasks[a.Task]; ok {
			payload["task"] = s.st.taskWebhookJSON(t)
		}
		return payload
	})
}

// bufferedResponse holds a handler's answer until the webhooks of its
// event are delivered, as api_webhook emits after the view and before the
// response leaves.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// answerAfterEmit runs handler; when it succeeds with a 2xx, emit runs,
// then the answer is written.
func answerAfterEmit(w http.ResponseWriter, handler func(http.ResponseWriter) error, emit func()) error {
	buf := &bufferedResponse{header: http.Header{}}
	if err := handler(buf); err != nil {
		return err
	}
	if buf.status >= 200 && buf.status < 300 {
		emit()
	}
	maps.Copy(w.Header(), buf.header)
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	w.WriteHeader(buf.status)
	_, err := w.Write(buf.body.Bytes())
	return err
}
