resource "labelstudio_gcs_import_storage" "example" {
  project           = labelstudio_project.example.id
  title             = "Raw images"
  bucket            = "acme-labeling"
  prefix            = "images/raw"
  google_project_id = "acme-ml"
  regex_filter      = ".*\\.png$"
  use_blob_urls     = true
  recursive_scan    = true

  # The text of a service-account key; write-only, so it never reaches state.
  # Leave it out to use the server's Application Default Credentials.
  google_application_credentials_wo         = file("${path.module}/label-studio-sa.json")
  google_application_credentials_wo_version = 1

  lifecycle {
    prevent_destroy = true
  }
}
