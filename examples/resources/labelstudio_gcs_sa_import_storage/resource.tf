# Label Studio Enterprise only: Label Studio's own Google identity
# impersonates this service account; no key leaves Google.
resource "labelstudio_gcs_sa_import_storage" "example" {
  project                      = labelstudio_project.example.id
  title                        = "Raw images (impersonation)"
  bucket                       = "acme-labeling"
  prefix                       = "images/raw"
  google_project_id            = "acme-ml"
  target_service_account_email = "label-studio-reader@acme-ml.iam.gserviceaccount.com"
  regex_filter                 = ".*\\.png$"
  use_blob_urls                = true

  lifecycle {
    prevent_destroy = true
  }
}
