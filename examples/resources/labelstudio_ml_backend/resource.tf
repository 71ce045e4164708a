variable "model_password" {
  type      = string
  sensitive = true
}

# A model server built with label-studio-ml-backend, behind basic auth. The
# URL is the address the Label Studio server reaches it at (here a
# docker-compose service name), not one the machine running Terraform uses.
resource "labelstudio_ml_backend" "example" {
  project        = labelstudio_project.example.id
  url            = "http://ml-backend:9090"
  title          = "yolo"
  is_interactive = true

  auth_method     = "BASIC_AUTH"
  basic_auth_user = "label-studio"
  # Write-only (Terraform 1.11+): the password never reaches state. Change
  # the version to send a new one.
  basic_auth_pass_wo         = var.model_password
  basic_auth_pass_wo_version = 1

  extra_params = jsonencode({ confidence_threshold = 0.5 })
}
