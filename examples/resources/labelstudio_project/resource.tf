variable "task_data_password" {
  description = "Password of the server that holds the task data."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

resource "labelstudio_project" "example" {
  title       = "Street scenes"
  description = "Bounding boxes for vehicles and pedestrians"

  # Compared as XML: re-indenting or reordering attributes is not a change.
  label_config = <<-XML
    <View>
      <Image name="image" value="$image"/>
      <RectangleLabels name="label" toName="image">
        <Label value="Vehicle" background="#FF8800"/>
        <Label value="Pedestrian" background="#0088FF"/>
      </RectangleLabels>
    </View>
  XML

  expert_instruction  = "<p>Draw a tight box around every vehicle and pedestrian.</p>"
  show_instruction    = true
  maximum_annotations = 2
  sampling            = "Uniform sampling"
  skip_queue          = "REQUEUE_FOR_OTHERS"
  color               = "#FF8800"

  # Two annotations for 30% of the tasks, shown first; one for the rest.
  overlap_cohort_percentage = 30
  show_overlap_first        = true

  # Pedestrian boxes count double in agreement metrics. One entry per
  # control tag of label_config, with every label.
  control_weights = jsonencode({
    label = { type = "RectangleLabels", overall = 1, labels = { Vehicle = 1, Pedestrian = 2 } }
  })

  # Credentials for task data behind HTTP authentication; the password
  # stays out of state with the write-only attribute (Terraform 1.11+).
  task_data_login               = "labelstudio"
  task_data_password_wo         = var.task_data_password
  task_data_password_wo_version = 1
}
