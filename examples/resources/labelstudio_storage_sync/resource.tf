variable "dataset_version" {
  description = "Bump after uploading a new batch of images to the bucket."
  type        = string
}

# Sync the import storage once it exists, and again whenever the dataset
# version changes; the apply waits until Label Studio has created the tasks.
resource "labelstudio_storage_sync" "images" {
  storages = [
    {
      kind      = "s3" # as in labelstudio_s3_import_storage; its `type` works too
      direction = "import"
      id        = labelstudio_s3_import_storage.example.id
    },
  ]

  # Any change here replaces the resource, which syncs again. Import syncs are
  # incremental: only objects this storage has not imported yet become tasks.
  triggers = {
    dataset_version = var.dataset_version
  }

  # A sync whose task files partly failed validation fails the apply.
  on_completed_with_errors = "fail"

  timeouts = {
    create = "20m"
  }
}

output "new_tasks" {
  value = labelstudio_storage_sync.images.results[0].last_sync_count
}
