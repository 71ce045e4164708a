# Terraform 1.14+. The action keeps nothing in state: it syncs when invoked.
action "labelstudio_storage_sync" "refresh" {
  config {
    storages = [
      {
        kind      = "s3"
        direction = "import"
        id        = labelstudio_s3_import_storage.example.id
      },
      {
        kind      = "s3"
        direction = "export"
        id        = labelstudio_s3_export_storage.example.id
      },
    ]
    on_completed_with_errors = "warn"
    timeouts = {
      invoke = "45m"
    }
  }
}

variable "batch_manifest_etag" {
  description = "Changes with every uploaded batch, e.g. the ETag of its manifest object."
  type        = string
}

# Sync after each new batch. terraform_data stands for whatever uploads the
# objects (an aws_s3_object, a google_storage_bucket_object, ...): put the
# same lifecycle block there. Progress appears in the apply output, one line
# per status change.
resource "terraform_data" "batch" {
  input = var.batch_manifest_etag

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.labelstudio_storage_sync.refresh]
    }
  }
}

# Or on demand: terraform apply -invoke=action.labelstudio_storage_sync.refresh
