variable "pipeline_token" {
  type      = string
  sensitive = true
}

# Calls the pipeline when a storage sync imports tasks or an annotation is
# saved. The host must be a dotted name or an IP address: Label Studio
# refuses a short service name such as http://pipeline:8000/hooks.
resource "labelstudio_webhook" "example" {
  project              = labelstudio_project.example.id
  url                  = "https://pipeline.example.com/hooks/label-studio"
  send_payload         = true
  send_for_all_actions = false
  actions              = ["TASKS_CREATED", "ANNOTATION_CREATED", "ANNOTATION_UPDATED"]

  # Write-only (Terraform 1.11+): the token never reaches state. Change the
  # version to send a new token.
  headers_wo = {
    Authorization = "Bearer ${var.pipeline_token}"
  }
  headers_wo_version = 1
}
