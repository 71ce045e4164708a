# Label Studio Enterprise only: no service-account key. Label Studio
# exchanges its AWS identity for Google credentials through a workload
# identity pool and impersonates the service account.
resource "labelstudio_gcswif_import_storage" "example" {
  project       = labelstudio_project.example.id
  title         = "Raw images (WIF)"
  bucket        = "acme-labeling"
  prefix        = "images/raw"
  regex_filter  = ".*\\.png$"
  use_blob_urls = true

  google_project_id            = "acme-ml"
  google_project_number        = "123456789012"
  google_wif_pool_id           = "label-studio"
  google_wif_provider_id       = "label-studio-aws"
  google_service_account_email = "label-studio@acme-ml.iam.gserviceaccount.com"

  lifecycle {
    prevent_destroy = true
  }
}
