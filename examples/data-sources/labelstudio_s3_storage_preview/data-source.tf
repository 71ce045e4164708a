# Preview what the storage below will import, with the same settings. The
# preview reads the bucket from the machine that runs Terraform, with the
# standard AWS credential chain here (or the keys given), at every plan.
data "labelstudio_s3_storage_preview" "images" {
  bucket         = "my-images"
  prefix         = "incoming"
  regex_filter   = ".*\\.jpe?g"
  use_blob_urls  = true
  recursive_scan = true
  region_name    = "eu-west-1"
}

# Warn in every plan (a failed check is a warning, not an error) when the
# storage would import nothing or the browser could not load the images.
check "images_preview" {
  assert {
    condition     = data.labelstudio_s3_storage_preview.images.object_count != 0
    error_message = "s3://my-images/incoming holds no object matching regex_filter: the sync would create no tasks."
  }
  assert {
    condition     = data.labelstudio_s3_storage_preview.images.cors.status != "denied"
    error_message = data.labelstudio_s3_storage_preview.images.cors.message
  }
}

resource "labelstudio_project" "images" {
  title = "Image classification"
}

resource "labelstudio_s3_import_storage" "images" {
  project        = labelstudio_project.images.id
  bucket         = "my-images"
  prefix         = "incoming"
  regex_filter   = ".*\\.jpe?g"
  use_blob_urls  = true
  recursive_scan = true
  region_name    = "eu-west-1"

  lifecycle {
    # Stop the apply instead of creating a storage that imports nothing.
    precondition {
      condition     = data.labelstudio_s3_storage_preview.images.object_count > 0
      error_message = "The storage would import nothing: check prefix, regex_filter (matched from the start of the full key) and recursive_scan."
    }
  }
}

# What the plan shows: how many tasks the first sync will create, and which.
output "images_to_import" {
  value = {
    objects   = data.labelstudio_s3_storage_preview.images.object_count
    truncated = data.labelstudio_s3_storage_preview.images.truncated
    first     = data.labelstudio_s3_storage_preview.images.keys
    cors      = data.labelstudio_s3_storage_preview.images.cors.status
  }
}

# JSON task files: the first few matching objects are parsed as Label Studio
# parses them, and each problem is reported with its key.
data "labelstudio_s3_storage_preview" "tasks" {
  bucket       = "my-tasks"
  prefix       = "batches/2026-12"
  regex_filter = ".*\\.jsonl?"
}

check "task_files_parse" {
  assert {
    condition = length(data.labelstudio_s3_storage_preview.tasks.task_file_errors) == 0
    error_message = join("\n", [
      for e in data.labelstudio_s3_storage_preview.tasks.task_file_errors : "${e.key}: ${e.message}"
    ])
  }
}

# An export storage: write one small probe object under the prefix (where
# Label Studio writes annotations) and delete it again.
data "labelstudio_s3_storage_preview" "annotations" {
  bucket      = "my-annotations"
  prefix      = "labelstudio"
  direction   = "export"
  check_write = true
}

check "annotations_writable" {
  assert {
    condition     = data.labelstudio_s3_storage_preview.annotations.write.status == "ok"
    error_message = data.labelstudio_s3_storage_preview.annotations.write.message
  }
}
