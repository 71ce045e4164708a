# A tab of the project's task list showing the tasks still to label whose
# image URL names a cat, newest first, without the inner ID column.
resource "labelstudio_view" "example" {
  project = labelstudio_project.example.id
  title   = "Cats to label"
  type    = "list"
  target  = "tasks"

  filters = {
    conjunction = "and"
    items = [
      {
        filter   = "filter:tasks:data.image"
        operator = "contains"
        type     = "String"
        value    = jsonencode("cat")
      },
      {
        filter   = "filter:tasks:total_annotations"
        operator = "equal"
        type     = "Number"
        value    = jsonencode(0)
      },
    ]
  }

  ordering = ["-tasks:created_at"]

  hidden_columns = {
    explore  = ["tasks:inner_id"]
    labeling = ["tasks:inner_id"]
  }
}
