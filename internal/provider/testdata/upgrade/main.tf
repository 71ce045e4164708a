terraform {
  required_providers {
    labelstudio = {
      source = "labelstudio-tf/labelstudio"
    }
  }
}

# URL and API key come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY.
provider "labelstudio" {}

resource "labelstudio_project" "configured" {
  color = "#FF8800"
  description = "written by an earlier provider"
  label_config = "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"sentiment\" toName=\"text\"><Choice value=\"Positive\"/><Choice value=\"Negative\"/></Choices></View>"
  maximum_annotations = 2
  sampling = "Uniform sampling"
  show_skip_button = false
  title = "Upgrade fixture"
}

resource "labelstudio_project" "minimal" {
  title = "Upgrade fixture, defaults"
}

resource "labelstudio_s3_import_storage" "s3_import" {
  aws_access_key_id_wo = "scrubbed-test-credential"
  aws_access_key_id_wo_version = 1
  aws_secret_access_key_wo = "scrubbed-test-credential"
  aws_secret_access_key_wo_version = 1
  bucket = "lstest-04a1f7e492b7"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  region_name = "us-east-1"
  s3_endpoint = "http://127.0.0.1:43015"
  title = "s3 import"
}

resource "labelstudio_gcs_import_storage" "gcs_import" {
  bucket = "lstest-8b09522b8522"
  google_application_credentials_wo = "{\"client_email\":\"robot@redact-test.iam.gserviceaccount.com\",\"client_secret\":\"clientSecretPoiuytrewq\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiGwKeyLineOneXyzAbcDefGhiJklMnoPqr\\nKeyLineTwoQwertyUiopAsdfGhjklZxcvbnmQwertyUiopAsdf\\n-----END PRIVATE KEY-----\\n\",\"private_key_id\":\"keyidZyxwvutsrqponmlk\",\"project_id\":\"redact-test\",\"type\":\"service_account\"}"
  google_application_credentials_wo_version = 1
  google_project_id = "upgrade-test"
  project = labelstudio_project.configured.id
  title = "gcs import"
}

resource "labelstudio_azure_blob_import_storage" "azure_blob_import" {
  account_key_wo = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  account_key_wo_version = 1
  account_name = "devstoreaccount1"
  container = "lstest-03d6f340f08b"
  project = labelstudio_project.configured.id
  title = "azure_blob import"
}

resource "labelstudio_redis_import_storage" "redis_import" {
  host = "127.0.0.1"
  password_wo = "scrubbed-test-credential"
  password_wo_version = 1
  port = "41253"
  project = labelstudio_project.configured.id
  title = "redis import"
}

resource "labelstudio_local_import_storage" "local_import" {
  path = "/tmp/TestRecordUpgradeFixture3020597633/003/upgrade-import"
  project = labelstudio_project.configured.id
  title = "local import"
}

resource "labelstudio_s3_export_storage" "s3_export" {
  aws_access_key_id_wo = "scrubbed-test-credential"
  aws_access_key_id_wo_version = 1
  aws_secret_access_key_wo = "scrubbed-test-credential"
  aws_secret_access_key_wo_version = 1
  bucket = "lstest-013a1427e1b8"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  region_name = "us-east-1"
  s3_endpoint = "http://127.0.0.1:43015"
  title = "s3 export"
}

resource "labelstudio_gcs_export_storage" "gcs_export" {
  bucket = "lstest-a17c322c0bcc"
  google_application_credentials_wo = "{\"client_email\":\"robot@redact-test.iam.gserviceaccount.com\",\"client_secret\":\"clientSecretPoiuytrewq\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiGwKeyLineOneXyzAbcDefGhiJklMnoPqr\\nKeyLineTwoQwertyUiopAsdfGhjklZxcvbnmQwertyUiopAsdf\\n-----END PRIVATE KEY-----\\n\",\"private_key_id\":\"keyidZyxwvutsrqponmlk\",\"project_id\":\"redact-test\",\"type\":\"service_account\"}"
  google_application_credentials_wo_version = 1
  google_project_id = "upgrade-test"
  project = labelstudio_project.configured.id
  title = "gcs export"
}

resource "labelstudio_azure_blob_export_storage" "azure_blob_export" {
  account_key_wo = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  account_key_wo_version = 1
  account_name = "devstoreaccount1"
  container = "lstest-307b7d2809d7"
  project = labelstudio_project.configured.id
  title = "azure_blob export"
}

resource "labelstudio_redis_export_storage" "redis_export" {
  host = "127.0.0.1"
  password_wo = "scrubbed-test-credential"
  password_wo_version = 1
  port = "41253"
  project = labelstudio_project.configured.id
  title = "redis export"
}

resource "labelstudio_local_export_storage" "local_export" {
  path = "/tmp/TestRecordUpgradeFixture3020597633/003/upgrade-export"
  project = labelstudio_project.configured.id
  title = "local export"
}
