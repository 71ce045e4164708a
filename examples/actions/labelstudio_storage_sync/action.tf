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

# Sync after each upload of the batch file. Progress appears in the apply
# output, one line per status change.
resource "aws_s3_object" "batch" {
  bucket = "acme-labeling"
  key    = "tasks/batch.json"
  source = "${path.module}/batch.json"
  etag   = filemd5("${path.module}/batch.json")

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.labelstudio_storage_sync.refresh]
    }
  }
}

# Or on demand: terraform apply -invoke=action.labelstudio_storage_sync.refresh
