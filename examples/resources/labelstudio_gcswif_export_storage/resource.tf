# Label Studio Enterprise only.
resource "labelstudio_gcswif_export_storage" "example" {
  project = labelstudio_project.example.id
  title   = "Annotations (WIF)"
  bucket  = "acme-labeling"
  prefix  = "annotations"

  google_project_number        = "123456789012"
  google_wif_pool_id           = "label-studio"
  google_wif_provider_id       = "label-studio-aws"
  google_service_account_email = "label-studio@acme-ml.iam.gserviceaccount.com"
}
