variable "aws_access_key_id" {
  description = "Access key ID of the IAM user Label Studio reads the bucket with."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

variable "aws_secret_access_key" {
  description = "Its secret access key."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

resource "labelstudio_s3_import_storage" "example" {
  project       = labelstudio_project.example.id
  title         = "Raw images"
  bucket        = "acme-labeling"
  prefix        = "images/raw"
  region_name   = "eu-west-1"
  regex_filter  = ".*\\.jpe?g$" # re.match on the full key: keep the leading .*
  use_blob_urls = true          # one task per image, holding its URL
  presign       = true
  presign_ttl   = 15 # minutes

  # Write-only (Terraform 1.11+): sent to Label Studio, never stored. Bump the
  # version to send a rotated key.
  aws_access_key_id_wo             = var.aws_access_key_id
  aws_access_key_id_wo_version     = 1
  aws_secret_access_key_wo         = var.aws_secret_access_key
  aws_secret_access_key_wo_version = 1

  lifecycle {
    # Replacing an import storage and syncing again imports every object again.
    prevent_destroy = true
  }
}
