# The ephemeral preview takes credentials that must not reach state, e.g.
# from an ephemeral variable or another ephemeral resource, and keeps
# nothing of its own (Terraform 1.10+).
variable "aws_secret_access_key" {
  type      = string
  ephemeral = true
}

ephemeral "labelstudio_s3_storage_preview" "images" {
  bucket                = "my-images"
  prefix                = "incoming"
  regex_filter          = ".*\\.jpe?g"
  use_blob_urls         = true
  aws_access_key_id     = "AKIAIOSFODNN7EXAMPLE"
  aws_secret_access_key = var.aws_secret_access_key
}

# Its results work in check blocks and in conditions of other objects. Error
# messages cannot show ephemeral values, so they say what to look at.
check "images_preview" {
  assert {
    condition     = ephemeral.labelstudio_s3_storage_preview.images.cors.status != "denied"
    error_message = "The bucket's CORS rules do not let Label Studio load the images: see the labelstudio_s3_storage_preview data source's cors.message for the rule to add."
  }
}

resource "labelstudio_project" "images" {
  title = "Image classification"
}

resource "labelstudio_s3_import_storage" "images" {
  project       = labelstudio_project.images.id
  bucket        = "my-images"
  prefix        = "incoming"
  regex_filter  = ".*\\.jpe?g"
  use_blob_urls = true

  aws_access_key_id_wo             = "AKIAIOSFODNN7EXAMPLE"
  aws_access_key_id_wo_version     = 1
  aws_secret_access_key_wo         = var.aws_secret_access_key
  aws_secret_access_key_wo_version = 1

  lifecycle {
    precondition {
      condition     = ephemeral.labelstudio_s3_storage_preview.images.object_count > 0
      error_message = "The storage would import nothing: check prefix, regex_filter and recursive_scan."
    }
  }
}
