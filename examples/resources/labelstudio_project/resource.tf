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
}
