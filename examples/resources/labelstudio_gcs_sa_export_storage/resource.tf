# Label Studio Enterprise only.
resource "labelstudio_gcs_sa_export_storage" "example" {
  project                      = labelstudio_project.example.id
  title                        = "Annotations (impersonation)"
  bucket                       = "acme-labeling"
  prefix                       = "annotations"
  target_service_account_email = "label-studio-writer@acme-ml.iam.gserviceaccount.com"
}
