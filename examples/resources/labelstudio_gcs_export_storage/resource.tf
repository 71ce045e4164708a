resource "labelstudio_gcs_export_storage" "example" {
  project           = labelstudio_project.example.id
  title             = "Annotations"
  bucket            = "acme-labeling"
  prefix            = "annotations"
  google_project_id = "acme-ml"

  google_application_credentials_wo         = file("${path.module}/label-studio-sa.json")
  google_application_credentials_wo_version = 1
}
