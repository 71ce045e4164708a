terraform {
  required_providers {
    labelstudio = { source = "labelstudio-tf/labelstudio" }
  }
}

# URL and API key come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY.
provider "labelstudio" {}

variable "model_url" {
  description = <<-EOT
    Where the Label Studio server reaches the model server (not where Terraform
    does). A dotted host name or an IP address: Label Studio creates the model's
    webhook only for a URL its webhook check accepts.
  EOT
  type        = string
  default     = "http://detector.labeling.svc.cluster.local:9090"
}

variable "model_password" {
  description = "BASIC_AUTH_PASS of the model server."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

variable "bucket" {
  description = "The bucket that holds the images."
  type        = string
  default     = "street-scenes"
}

variable "region" {
  description = "The bucket's region."
  type        = string
  default     = "eu-west-1"
}

variable "s3_endpoint" {
  description = "Endpoint of an S3-compatible service; null for Amazon S3."
  type        = string
  default     = null
}

variable "aws_access_key_id" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "aws_secret_access_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The label config is what the model's /setup receives: it must have the
# tags and labels the model predicts.
resource "labelstudio_project" "scenes" {
  title        = "Street scenes"
  label_config = <<-XML
    <View>
      <Image name="image" value="$image"/>
      <RectangleLabels name="label" toName="image">
        <Label value="Car"/>
        <Label value="Pedestrian"/>
      </RectangleLabels>
    </View>
  XML

  # Show the model's predictions to annotators, region by region.
  show_collab_predictions             = true
  reveal_preannotations_interactively = true
}

# The webhook Label Studio would create with the ML backend, declared first so
# that Terraform manages it (Label Studio then creates no second one). The
# model trains on the annotation events it receives. Its basic auth guards
# /webhook too, and Label Studio sends a webhook's headers only.
resource "labelstudio_webhook" "model_training" {
  project              = labelstudio_project.scenes.id
  url                  = "${var.model_url}/webhook"
  send_payload         = true
  send_for_all_actions = false
  actions              = ["ANNOTATION_CREATED", "ANNOTATION_UPDATED"]

  headers_wo = {
    Authorization = "Basic ${base64encode("label-studio:${var.model_password}")}"
  }
  headers_wo_version = 1
}

resource "labelstudio_ml_backend" "detector" {
  project = labelstudio_project.scenes.id
  url     = var.model_url
  title   = "detector"

  # Interactive pre-annotation: the labeling interface asks the model while
  # an annotator works.
  is_interactive = true

  auth_method                = "BASIC_AUTH"
  basic_auth_user            = "label-studio"
  basic_auth_pass_wo         = var.model_password
  basic_auth_pass_wo_version = 1

  extra_params = jsonencode({ confidence_threshold = 0.4 })

  depends_on = [labelstudio_webhook.model_training]
}

resource "labelstudio_s3_import_storage" "images" {
  project       = labelstudio_project.scenes.id
  title         = "Street scene images"
  bucket        = var.bucket
  prefix        = "images"
  region_name   = var.region
  s3_endpoint   = var.s3_endpoint
  regex_filter  = ".*\\.jpg$"
  use_blob_urls = true

  aws_access_key_id_wo             = var.aws_access_key_id
  aws_access_key_id_wo_version     = 1
  aws_secret_access_key_wo         = var.aws_secret_access_key
  aws_secret_access_key_wo_version = 1
}

# Import the tasks once the model is connected, so that it sees them.
resource "labelstudio_storage_sync" "images" {
  storages = [
    { kind = "s3", direction = "import", id = labelstudio_s3_import_storage.images.id },
  ]

  depends_on = [labelstudio_ml_backend.detector]
}

output "model_state" {
  description = "CO when Label Studio last reached the model."
  value       = labelstudio_ml_backend.detector.state
}
