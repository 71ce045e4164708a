# Quickstart: a project fed by a directory of task files and exporting its
# annotations to another directory, both on the Label Studio server.
# scripts/demo.sh runs it end to end against the local stand-in server.

terraform {
  required_version = ">= 1.11"
  required_providers {
    labelstudio = {
      source = "labelstudio-tf/labelstudio"
    }
  }
}

# URL and API key come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY.
provider "labelstudio" {}

resource "labelstudio_project" "quickstart" {
  title       = var.project_title
  description = "Sentiment of short reviews, set up by Terraform"

  label_config = <<-XML
    <View>
      <Text name="review" value="$text"/>
      <Choices name="sentiment" toName="review" choice="single" showInline="true">
        <Choice value="Positive"/>
        <Choice value="Neutral"/>
        <Choice value="Negative"/>
      </Choices>
    </View>
  XML

  show_instruction   = true
  expert_instruction = "<p>Pick the sentiment the review expresses.</p>"
}

# Every JSON file under tasks/ becomes a task when the storage is synced.
resource "labelstudio_local_import_storage" "tasks" {
  project      = labelstudio_project.quickstart.id
  title        = "Review tasks"
  path         = "${var.document_root}/tasks"
  regex_filter = ".*\\.json$"

  lifecycle {
    # A replaced import storage would import every file again as new tasks.
    prevent_destroy = false # set to true for projects that matter
  }
}

# Label Studio writes one file per annotation here.
resource "labelstudio_local_export_storage" "annotations" {
  project = labelstudio_project.quickstart.id
  title   = "Review annotations"
  path    = "${var.document_root}/annotations"
}

# Import the task files now and wait until Label Studio has created the tasks.
# Change task_batch after adding files to sync again: only new files become
# tasks.
resource "labelstudio_storage_sync" "tasks" {
  storages = [{
    kind      = "local"
    direction = "import"
    id        = labelstudio_local_import_storage.tasks.id
  }]
  triggers = {
    batch = var.task_batch
  }
}
