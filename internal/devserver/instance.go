package devserver

import (
	"net/http"
	"time"
)

// What the instance says about itself and about the user calling it:
// /api/version and /api/current-user/whoami.

func (s *Server) handleVersion(w http.ResponseWriter, _ *http.Request, _ routeParams) error {
	edition := "Community"
	if s.cfg.Edition == "enterprise" {
		edition = "Enterprise"
	}
	component := map[string]any{"version": s.cfg.Version}
	writeJSON(w, http.StatusOK, map[string]any{
		"release": s.cfg.Version, "edition": edition,
		"label-studio-os-package": component, "label-studio-os-backend": component,
		"label-studio-frontend": map[string]any{}, "dm2": map[string]any{}, "label-studio-converter": map[string]any{},
		"lsf": map[string]any{}, "backend": map[string]any{},
	})
	return nil
}

func (s *Server) handleWhoAmI(w http.ResponseWriter, _ *http.Request, _ routeParams) error {
	membership := map[string]any{"active": "true", "organization_id": 1, "role": "OW"}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": bootstrapUserID, "username": bootstrapUserName, "email": bootstrapUserEmail,
		"first_name": "", "last_name": "", "avatar": "", "initials": "ad", "phone": "",
		"active_organization": 1, "active_organization_meta": "", "last_activity": isoTime(time.Now()),
		"allow_newsletters": false, "pause": "", "permissions": []string{}, "social_accounts": []any{},
		"custom_hotkeys": map[string]any{}, "date_joined": isoTime(time.Unix(0, 0)),
		"org_membership": []any{membership}, "organization_membership": membership,
		"lse_fields": map[string]any{"active_organization_external_id": nil, "email_notification_settings": "",
			"invite_expired": "false", "invite_expired_at": ""},
	})
	return nil
}
