# Label Studio Enterprise only.
resource "labelstudio_s3s_export_storage" "example" {
  project     = labelstudio_project.example.id
  title       = "Annotations (IAM role)"
  role_arn    = "arn:aws:iam::123456789012:role/label-studio-write"
  external_id = "6f1f5c7e-0000-4000-8000-000000000000"
  bucket      = "acme-labeling"
  prefix      = "annotations"
  region_name = "eu-west-1"
}
