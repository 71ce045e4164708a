variable "export_aws_access_key_id" {
  description = "Access key ID of the IAM user Label Studio writes with."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

variable "export_aws_secret_access_key" {
  description = "Its secret access key."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

resource "labelstudio_s3_export_storage" "example" {
  project            = labelstudio_project.example.id
  title              = "Annotations"
  bucket             = "acme-labeling"
  prefix             = "annotations"
  region_name        = "eu-west-1"
  can_delete_objects = true # deleting an annotation deletes its exported object

  aws_access_key_id_wo             = var.export_aws_access_key_id
  aws_access_key_id_wo_version     = 1
  aws_secret_access_key_wo         = var.export_aws_secret_access_key
  aws_secret_access_key_wo_version = 1
}
