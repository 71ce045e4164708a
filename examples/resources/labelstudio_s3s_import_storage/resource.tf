# Label Studio Enterprise only: no keys, Label Studio assumes an IAM role
# whose trust policy names your organization's external ID.
resource "labelstudio_s3s_import_storage" "example" {
  project       = labelstudio_project.example.id
  title         = "Raw images (IAM role)"
  role_arn      = "arn:aws:iam::123456789012:role/label-studio-read"
  external_id   = "6f1f5c7e-0000-4000-8000-000000000000"
  bucket        = "acme-labeling"
  prefix        = "images/raw"
  region_name   = "eu-west-1"
  regex_filter  = ".*\\.jpe?g$"
  use_blob_urls = true

  lifecycle {
    prevent_destroy = true
  }
}
